-- Browser sessions, API tokens and password-reset links. Only hashes of the secrets are
-- stored; the secrets themselves are shown once.
CREATE TABLE sessions (
    token_hash          TEXT      NOT NULL PRIMARY KEY,
    user_id             BIGINT    NOT NULL REFERENCES users (id),
    csrf_token          TEXT      NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    last_seen_at        TIMESTAMP NOT NULL,
    expires_at          TIMESTAMP NOT NULL,
    revoked_at          TIMESTAMP,
    -- Set while a superuser acts inside a tenant.
    acting_tenant_id    BIGINT    REFERENCES tenants (id),
    impersonation_reason TEXT,
    impersonation_expires_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   BIGINT    NOT NULL REFERENCES tenants (id),
    name        TEXT      NOT NULL,
    role        TEXT      NOT NULL,
    token_hash  TEXT      NOT NULL,
    token_prefix TEXT     NOT NULL,
    created_by  BIGINT    NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at  TIMESTAMP,
    CONSTRAINT api_tokens_role CHECK (role IN ('admin', 'cook', 'department', 'viewer'))
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id);

CREATE TABLE password_resets (
    token_hash TEXT      NOT NULL PRIMARY KEY,
    user_id    BIGINT    NOT NULL REFERENCES users (id),
    created_by BIGINT    NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);
