-- The municipal kitchen's model: departments of a site, how many residents eat when, which
-- special diets they need, and each department's lunch choices and diet marks per ISO week.
-- Counts only: Galley never stores a named resident with a diet.

-- Per-site settings. No row means the defaults: choices close Thursday 12:00 the week before,
-- and weekends offer Alt 2 wherever the menu has one.
CREATE TABLE municipal_settings (
    site_id               BIGINT    PRIMARY KEY REFERENCES sites (id),
    tenant_id             BIGINT    NOT NULL REFERENCES tenants (id),
    deadline_weekday      INTEGER   NOT NULL DEFAULT 4,
    deadline_minute       INTEGER   NOT NULL DEFAULT 720,
    deadline_weeks_before INTEGER   NOT NULL DEFAULT 1,
    weekend_alt2          BOOLEAN   NOT NULL DEFAULT TRUE,
    version               BIGINT    NOT NULL DEFAULT 1,
    updated_at            TIMESTAMP NOT NULL,
    CONSTRAINT municipal_settings_weekday CHECK (deadline_weekday BETWEEN 1 AND 7),
    CONSTRAINT municipal_settings_minute CHECK (deadline_minute BETWEEN 0 AND 1439),
    CONSTRAINT municipal_settings_weeks CHECK (deadline_weeks_before BETWEEN 0 AND 4)
);

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    name       TEXT      NOT NULL,
    name_key   TEXT      NOT NULL,
    residents  INTEGER   NOT NULL,
    notes      TEXT      NOT NULL DEFAULT '',
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    CONSTRAINT departments_residents CHECK (residents BETWEEN 0 AND 1000)
);
CREATE INDEX departments_site ON departments (site_id);
CREATE UNIQUE INDEX departments_name_live ON departments (site_id, name_key) WHERE deleted_at IS NULL;

-- A user of role `department` works for exactly one department.
CREATE TABLE department_members (
    user_id       BIGINT    PRIMARY KEY REFERENCES users (id),
    department_id BIGINT    NOT NULL REFERENCES departments (id),
    tenant_id     BIGINT    NOT NULL REFERENCES tenants (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX department_members_department ON department_members (department_id);

-- How many of a department's residents are on each diet.
CREATE TABLE diet_defaults (
    department_id BIGINT  NOT NULL REFERENCES departments (id),
    diet_type_id  BIGINT  NOT NULL REFERENCES diet_types (id),
    residents     INTEGER NOT NULL,
    PRIMARY KEY (department_id, diet_type_id),
    CONSTRAINT diet_defaults_residents CHECK (residents BETWEEN 0 AND 1000)
);

-- Residents per weekday, every week (standing) or for one ISO week; and per date and meal.
-- The first that exists wins: override, week schedule, standing schedule, fixed count.
CREATE TABLE standing_residents (
    department_id BIGINT  NOT NULL REFERENCES departments (id),
    weekday       INTEGER NOT NULL,
    residents     INTEGER NOT NULL,
    PRIMARY KEY (department_id, weekday),
    CONSTRAINT standing_residents_weekday CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT standing_residents_count CHECK (residents BETWEEN 0 AND 1000)
);
CREATE TABLE week_residents (
    department_id BIGINT  NOT NULL REFERENCES departments (id),
    year          INTEGER NOT NULL,
    week          INTEGER NOT NULL,
    weekday       INTEGER NOT NULL,
    residents     INTEGER NOT NULL,
    PRIMARY KEY (department_id, year, week, weekday),
    CONSTRAINT week_residents_weekday CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT week_residents_count CHECK (residents BETWEEN 0 AND 1000)
);
CREATE TABLE resident_overrides (
    department_id BIGINT  NOT NULL REFERENCES departments (id),
    date          DATE    NOT NULL,
    meal          TEXT    NOT NULL,
    residents     INTEGER NOT NULL,
    PRIMARY KEY (department_id, date, meal),
    CONSTRAINT resident_overrides_meal CHECK (meal IN ('lunch', 'dinner')),
    CONSTRAINT resident_overrides_count CHECK (residents BETWEEN 0 AND 1000)
);

-- A department's week: the version behind its ETag, and when choices and marks were last saved
-- (the kitchen chases the departments that never did).
CREATE TABLE department_weeks (
    department_id BIGINT    NOT NULL REFERENCES departments (id),
    year          INTEGER   NOT NULL,
    week          INTEGER   NOT NULL,
    version       BIGINT    NOT NULL,
    choices_at    TIMESTAMP,
    marks_at      TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (department_id, year, week)
);

-- Alt 1 is the choice wherever no row says otherwise.
CREATE TABLE lunch_choices (
    department_id BIGINT    NOT NULL REFERENCES departments (id),
    year          INTEGER   NOT NULL,
    week          INTEGER   NOT NULL,
    day           INTEGER   NOT NULL,
    choice        TEXT      NOT NULL,
    updated_by    BIGINT    REFERENCES users (id),
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (department_id, year, week, day),
    CONSTRAINT lunch_choices_day CHECK (day BETWEEN 1 AND 7),
    CONSTRAINT lunch_choices_choice CHECK (choice IN ('alt1', 'alt2'))
);

-- A row says the diet is to be cooked for that department, day and meal.
CREATE TABLE diet_marks (
    department_id BIGINT  NOT NULL REFERENCES departments (id),
    year          INTEGER NOT NULL,
    week          INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    meal          TEXT    NOT NULL,
    diet_type_id  BIGINT  NOT NULL REFERENCES diet_types (id),
    PRIMARY KEY (department_id, year, week, day, meal, diet_type_id),
    CONSTRAINT diet_marks_day CHECK (day BETWEEN 1 AND 7),
    CONSTRAINT diet_marks_meal CHECK (meal IN ('lunch', 'dinner'))
);

-- "Remember to order": a kitchen's checklist per ISO week.
CREATE TABLE order_reminders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    year       INTEGER   NOT NULL,
    week       INTEGER   NOT NULL,
    text       TEXT      NOT NULL,
    done_at    TIMESTAMP,
    done_by    BIGINT    REFERENCES users (id),
    created_by BIGINT    REFERENCES users (id),
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX order_reminders_site_week ON order_reminders (site_id, year, week);
