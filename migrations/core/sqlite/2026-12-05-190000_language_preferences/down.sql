ALTER TABLE sites DROP COLUMN language;
ALTER TABLE users DROP COLUMN language;
