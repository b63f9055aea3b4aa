-- Private, revocable calendar feeds: one person's published shifts at a secret URL that a
-- calendar app polls without signing in. Only a keyed hash of the secret is stored; a person
-- has at most one live feed (making a new one revokes the old).
CREATE TABLE offshore_calendar_feeds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    crew_id    BIGINT    NOT NULL REFERENCES offshore_crew (id),
    token_hash TEXT      NOT NULL UNIQUE,
    created_by BIGINT    REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX offshore_calendar_feeds_crew_live ON offshore_calendar_feeds (crew_id) WHERE revoked_at IS NULL;
