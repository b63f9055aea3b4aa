-- Diet types of a site (gluten-free, pureed, ...). A diet may exclude allergens (the same bit
-- mask as dishes), carry an IDDSI texture level (0-7), and apply at every meal without a mark.
-- Galley stores counts per department and diet type, never a named resident with a diet.
CREATE TABLE diet_types (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT    NOT NULL REFERENCES tenants (id),
    site_id        BIGINT    NOT NULL REFERENCES sites (id),
    name           TEXT      NOT NULL,
    name_key       TEXT      NOT NULL,
    excludes       BIGINT    NOT NULL DEFAULT 0,
    texture_level  INTEGER,
    always_applies BOOLEAN   NOT NULL DEFAULT FALSE,
    version        BIGINT    NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    deleted_at     TIMESTAMP,
    CONSTRAINT diet_types_texture CHECK (texture_level IS NULL OR texture_level BETWEEN 0 AND 7)
);
CREATE INDEX diet_types_site ON diet_types (site_id);
CREATE UNIQUE INDEX diet_types_name_live ON diet_types (site_id, name_key) WHERE deleted_at IS NULL;
