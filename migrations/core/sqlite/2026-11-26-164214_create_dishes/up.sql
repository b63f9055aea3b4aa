-- Dishes of a tenant, shared by every module that plans menus. Allergens are a bit mask, one
-- bit per EU allergen in the fixed order of core/src/kitchen/allergen.rs.
CREATE TABLE dishes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    name       TEXT      NOT NULL,
    -- The name folded for search and uniqueness (lower case, single spaces), computed by Galley.
    name_key   TEXT      NOT NULL,
    category   TEXT      NOT NULL,
    allergens  BIGINT    NOT NULL DEFAULT 0,
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX dishes_tenant ON dishes (tenant_id, name_key);
-- One live dish per name in a tenant.
CREATE UNIQUE INDEX dishes_name_live ON dishes (tenant_id, name_key) WHERE deleted_at IS NULL;
