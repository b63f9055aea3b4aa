-- The offshore galley's crew and rotations: per-site rota settings (shift hours, required
-- cover, working-time rules), rotation patterns as data, crew with their pattern and offset,
-- the shifts a schedule holds, and the offshore periods marked as exceptions.

-- No row means the defaults: day 07-19, night 19-07, no required cover, Norway's rules.
CREATE TABLE offshore_rota_settings (
    site_id                  BIGINT    PRIMARY KEY REFERENCES sites (id),
    tenant_id                BIGINT    NOT NULL REFERENCES tenants (id),
    day_start_minute         INTEGER   NOT NULL,
    day_end_minute           INTEGER   NOT NULL,
    night_start_minute       INTEGER   NOT NULL,
    night_end_minute         INTEGER   NOT NULL,
    -- JSON list of {position, kind, count}.
    cover                    TEXT      NOT NULL,
    max_period_days          INTEGER   NOT NULL,
    max_extended_period_days INTEGER   NOT NULL,
    max_shift_minutes        INTEGER   NOT NULL,
    min_rest_days            INTEGER   NOT NULL,
    version                  BIGINT    NOT NULL DEFAULT 1,
    updated_at               TIMESTAMP NOT NULL,
    CONSTRAINT offshore_rota_settings_minutes CHECK (
        day_start_minute BETWEEN 0 AND 1439 AND day_end_minute BETWEEN 0 AND 1439
        AND night_start_minute BETWEEN 0 AND 1439 AND night_end_minute BETWEEN 0 AND 1439)
);

CREATE TABLE offshore_patterns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   BIGINT    NOT NULL REFERENCES tenants (id),
    site_id     BIGINT    NOT NULL REFERENCES sites (id),
    name        TEXT      NOT NULL,
    name_key    TEXT      NOT NULL,
    -- JSON list of {kind, days}.
    segments    TEXT      NOT NULL,
    -- The first day of the pattern for a person with offset 0.
    anchor_date DATE      NOT NULL,
    version     BIGINT    NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP
);
CREATE INDEX offshore_patterns_site ON offshore_patterns (site_id);
CREATE UNIQUE INDEX offshore_patterns_name_live ON offshore_patterns (site_id, name_key) WHERE deleted_at IS NULL;

CREATE TABLE offshore_crew (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id         BIGINT    NOT NULL REFERENCES tenants (id),
    site_id           BIGINT    NOT NULL REFERENCES sites (id),
    name              TEXT      NOT NULL,
    position          TEXT      NOT NULL,
    user_id           BIGINT    REFERENCES users (id),
    pattern_id        BIGINT    REFERENCES offshore_patterns (id),
    start_offset_days INTEGER   NOT NULL DEFAULT 0,
    version           BIGINT    NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    deleted_at        TIMESTAMP,
    CONSTRAINT offshore_crew_position CHECK (position IN ('cook', 'night_cook', 'steward', 'chief_steward')),
    CONSTRAINT offshore_crew_offset CHECK (start_offset_days BETWEEN 0 AND 365)
);
CREATE INDEX offshore_crew_site ON offshore_crew (site_id);
CREATE UNIQUE INDEX offshore_crew_user_live ON offshore_crew (user_id) WHERE deleted_at IS NULL AND user_id IS NOT NULL;

-- One row per person per day on board: a day or night shift (with its instants in UTC) or a
-- swing day (without). Drafts until published.
CREATE TABLE offshore_shifts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    BIGINT    NOT NULL REFERENCES tenants (id),
    site_id      BIGINT    NOT NULL REFERENCES sites (id),
    crew_id      BIGINT    NOT NULL REFERENCES offshore_crew (id),
    date         DATE      NOT NULL,
    kind         TEXT      NOT NULL,
    starts_at    TIMESTAMP,
    ends_at      TIMESTAMP,
    published_at TIMESTAMP,
    version      BIGINT    NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CONSTRAINT offshore_shifts_kind CHECK (kind IN ('day', 'night', 'swing')),
    CONSTRAINT offshore_shifts_span CHECK ((kind = 'swing') = (starts_at IS NULL) AND (starts_at IS NULL) = (ends_at IS NULL))
);
CREATE INDEX offshore_shifts_site_date ON offshore_shifts (site_id, date);
CREATE INDEX offshore_shifts_crew_date ON offshore_shifts (crew_id, date);

-- An offshore period longer than the site's limit, allowed up to the extended limit.
CREATE TABLE offshore_period_exceptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    crew_id    BIGINT    NOT NULL REFERENCES offshore_crew (id),
    first_date DATE      NOT NULL,
    reason     TEXT      NOT NULL,
    created_by BIGINT    REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX offshore_period_exceptions_period ON offshore_period_exceptions (crew_id, first_date);
