-- A galley's menu cycle: N weeks of templates that the weekly menus are generated from. No
-- row means the site has not set up a cycle.
CREATE TABLE offshore_menu_cycles (
    site_id      BIGINT    PRIMARY KEY REFERENCES sites (id),
    tenant_id    BIGINT    NOT NULL REFERENCES tenants (id),
    length_weeks INTEGER   NOT NULL,
    -- The ISO week that was cycle week start_index.
    start_year   INTEGER   NOT NULL,
    start_week   INTEGER   NOT NULL,
    start_index  INTEGER   NOT NULL,
    version      BIGINT    NOT NULL DEFAULT 1,
    updated_at   TIMESTAMP NOT NULL,
    CONSTRAINT offshore_menu_cycles_length CHECK (length_weeks BETWEEN 1 AND 12),
    CONSTRAINT offshore_menu_cycles_start CHECK (
        start_week BETWEEN 1 AND 53 AND start_index BETWEEN 1 AND length_weeks)
);

-- One row per cycle week whose template was saved: its version for the ETag.
CREATE TABLE offshore_cycle_weeks (
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    cycle_week INTEGER   NOT NULL,
    version    BIGINT    NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, cycle_week),
    CONSTRAINT offshore_cycle_weeks_week CHECK (cycle_week BETWEEN 1 AND 12)
);

CREATE TABLE offshore_cycle_items (
    site_id    BIGINT  NOT NULL REFERENCES sites (id),
    cycle_week INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    meal       TEXT    NOT NULL,
    slot       TEXT    NOT NULL,
    dish_id    BIGINT  NOT NULL REFERENCES dishes (id),
    PRIMARY KEY (site_id, cycle_week, day, meal, slot),
    CONSTRAINT offshore_cycle_items_week CHECK (cycle_week BETWEEN 1 AND 12),
    CONSTRAINT offshore_cycle_items_day CHECK (day BETWEEN 1 AND 7)
);
CREATE INDEX offshore_cycle_items_dish ON offshore_cycle_items (dish_id);
