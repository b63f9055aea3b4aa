-- The galley's prep list (tasks per day, with every status change kept) and its freezer
-- inventory (quantities in thousandths of the unit, with every take-out kept).

CREATE TABLE offshore_prep_tasks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    date       DATE      NOT NULL,
    title      TEXT      NOT NULL,
    notes      TEXT      NOT NULL DEFAULT '',
    status     TEXT      NOT NULL DEFAULT 'todo',
    position   INTEGER   NOT NULL DEFAULT 0,
    version    BIGINT    NOT NULL DEFAULT 1,
    created_by BIGINT    REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    CONSTRAINT offshore_prep_tasks_status CHECK (status IN
        ('todo', 'doing', 'blocked', 'done', 'cancelled')),
    CONSTRAINT offshore_prep_tasks_position CHECK (position BETWEEN 0 AND 10000)
);
-- One live task per title and day: generating from the menu twice cannot double it, even
-- when two requests race.
CREATE UNIQUE INDEX offshore_prep_tasks_day_title ON offshore_prep_tasks (site_id, date, title)
    WHERE deleted_at IS NULL;

CREATE TABLE offshore_prep_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     BIGINT    NOT NULL REFERENCES offshore_prep_tasks (id),
    from_status TEXT,
    to_status   TEXT      NOT NULL,
    changed_by  BIGINT    REFERENCES users (id),
    changed_at  TIMESTAMP NOT NULL,
    note        TEXT
);
CREATE INDEX offshore_prep_history_task ON offshore_prep_history (task_id);

CREATE TABLE offshore_freezer_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT    NOT NULL REFERENCES tenants (id),
    site_id        BIGINT    NOT NULL REFERENCES sites (id),
    name           TEXT      NOT NULL,
    quantity_milli BIGINT    NOT NULL,
    unit           TEXT      NOT NULL,
    frozen_on      DATE      NOT NULL,
    use_by         DATE      NOT NULL,
    location       TEXT      NOT NULL DEFAULT '',
    version        BIGINT    NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    deleted_at     TIMESTAMP,
    CONSTRAINT offshore_freezer_items_unit CHECK (unit IN ('kg', 'g', 'l', 'pcs', 'portions')),
    CONSTRAINT offshore_freezer_items_dates CHECK (use_by >= frozen_on),
    CONSTRAINT offshore_freezer_items_quantity CHECK (quantity_milli >= 0)
);
CREATE INDEX offshore_freezer_items_site_use_by ON offshore_freezer_items (site_id, use_by);

CREATE TABLE offshore_freezer_moves (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     BIGINT    NOT NULL REFERENCES offshore_freezer_items (id),
    delta_milli BIGINT    NOT NULL,
    reason      TEXT      NOT NULL DEFAULT '',
    moved_by    BIGINT    REFERENCES users (id),
    moved_at    TIMESTAMP NOT NULL
);
CREATE INDEX offshore_freezer_moves_item ON offshore_freezer_moves (item_id);
