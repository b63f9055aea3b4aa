-- Messages to a galley: to everyone on a site, to a role, to a crew position or to one person.
-- Who may read one is worked out when it is read, from its audience key (see
-- modules/offshore/src/messages/audience.rs), so a person who joins the crew later sees what was
-- sent to their position. A read receipt is one row per reader and message.

CREATE TABLE offshore_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT    NOT NULL REFERENCES tenants (id),
    site_id        BIGINT    NOT NULL REFERENCES sites (id),
    author_id      BIGINT    REFERENCES users (id),
    audience_kind  TEXT      NOT NULL,
    audience_value TEXT      NOT NULL DEFAULT '',
    audience_key   TEXT      NOT NULL,
    body           TEXT      NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    deleted_at     TIMESTAMP,
    CONSTRAINT offshore_messages_kind CHECK (audience_kind IN ('site', 'role', 'position', 'person'))
);
CREATE INDEX offshore_messages_audience ON offshore_messages (tenant_id, audience_key, id);
CREATE INDEX offshore_messages_site ON offshore_messages (site_id, id);

CREATE TABLE offshore_message_reads (
    message_id BIGINT    NOT NULL REFERENCES offshore_messages (id),
    user_id    BIGINT    NOT NULL REFERENCES users (id),
    read_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX offshore_message_reads_user ON offshore_message_reads (user_id);
