-- Tenants (customer organisations), their sites (kitchens) and users. Rows are never
-- deleted: deleted_at keeps them for the audit trail while they stop working at once.
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT      NOT NULL,
    kind       TEXT      NOT NULL,
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    CONSTRAINT tenants_kind CHECK (kind IN ('municipal', 'offshore'))
);

CREATE TABLE sites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    name       TEXT      NOT NULL,
    timezone   TEXT      NOT NULL,
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX sites_tenant ON sites (tenant_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id           BIGINT    REFERENCES tenants (id),
    site_id             BIGINT    REFERENCES sites (id),
    email               TEXT      NOT NULL,
    display_name        TEXT      NOT NULL,
    role                TEXT      NOT NULL,
    password_hash       TEXT      NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    version             BIGINT    NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    disabled_at         TIMESTAMP,
    deleted_at          TIMESTAMP,
    CONSTRAINT users_role CHECK (role IN ('superuser', 'admin', 'cook', 'department', 'viewer')),
    -- A superuser belongs to no tenant; everyone else to exactly one.
    CONSTRAINT users_tenant_by_role CHECK ((role = 'superuser') = (tenant_id IS NULL))
);
CREATE INDEX users_tenant ON users (tenant_id);
-- One live account per address; deleted accounts keep theirs for the audit trail.
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL;
