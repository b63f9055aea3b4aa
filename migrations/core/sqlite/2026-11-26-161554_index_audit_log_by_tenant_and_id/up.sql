-- The audit API lists a tenant's rows newest first (by id).
CREATE INDEX IF NOT EXISTS audit_log_tenant_id ON audit_log (tenant_id, id);
