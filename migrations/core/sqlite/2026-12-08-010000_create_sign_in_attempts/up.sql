-- The twin of the PostgreSQL table (decision 0026). A SQLite install is one instance and
-- counts sign-in attempts in memory, so this table stays empty there.
CREATE TABLE sign_in_attempts (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT      NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_attempts_key ON sign_in_attempts (key, at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
