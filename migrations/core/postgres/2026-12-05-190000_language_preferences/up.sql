-- The language a person reads pages in, and the language a site's people read by default
-- (NULL: not chosen; the browser's language, then Swedish, apply). Nullable columns: safe on a
-- live database, old code ignores them.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('sv', 'nb', 'en'));
ALTER TABLE sites ADD COLUMN language TEXT CHECK (language IN ('sv', 'nb', 'en'));
