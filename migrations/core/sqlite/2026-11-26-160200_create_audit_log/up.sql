-- The audit log: written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at     TIMESTAMP NOT NULL,
    tenant_id       BIGINT    REFERENCES tenants (id),
    actor_user_id   BIGINT    REFERENCES users (id),
    actor_token_id  BIGINT    REFERENCES api_tokens (id),
    impersonator_id BIGINT    REFERENCES users (id),
    action          TEXT      NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    details         TEXT      NOT NULL,
    request_id      TEXT
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at);
CREATE INDEX audit_log_time ON audit_log (occurred_at);
