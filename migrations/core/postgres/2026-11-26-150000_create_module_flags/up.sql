-- Module switches stored in the database. One row per module and scope; the most specific
-- scope wins (site > tenant > global > DEFAULT_ENABLED_MODULES). Only the global scope is
-- written today; tenant and site scopes arrive with tenants, additively.
CREATE TABLE module_flags (
    module_id  TEXT      NOT NULL,
    scope      TEXT      NOT NULL DEFAULT 'global',
    scope_id   BIGINT    NOT NULL DEFAULT 0,
    enabled    BOOLEAN   NOT NULL,
    version    BIGINT    NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT      NOT NULL,
    PRIMARY KEY (module_id, scope, scope_id),
    CONSTRAINT module_flags_scope CHECK (scope IN ('global', 'tenant', 'site')),
    CONSTRAINT module_flags_global_scope_id CHECK (scope <> 'global' OR scope_id = 0)
);
