-- The audit API lists a tenant's rows newest first (by id). CONCURRENTLY keeps the table
-- writable while the index builds on a live database, which is why this migration runs
-- outside a transaction (metadata.toml).
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_tenant_id ON audit_log (tenant_id, id);
