-- One menu per site and ISO week. Items point (day, meal, slot) at a dish; the slot words
-- belong to the module that uses the menu. `version` grows with every change;
-- `changed_after_publish` says the published week was edited, and `menu_receipts` below tells
-- who saw which version.
CREATE TABLE menus (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id         BIGINT    NOT NULL REFERENCES tenants (id),
    site_id           BIGINT    NOT NULL REFERENCES sites (id),
    year              INTEGER   NOT NULL,
    week              INTEGER   NOT NULL,
    status            TEXT      NOT NULL DEFAULT 'draft',
    version           BIGINT    NOT NULL DEFAULT 1,
    published_at      TIMESTAMP,
    changed_after_publish BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CONSTRAINT menus_status CHECK (status IN ('draft', 'published')),
    CONSTRAINT menus_week CHECK (week BETWEEN 1 AND 53)
);
CREATE UNIQUE INDEX menus_site_week ON menus (site_id, year, week);

CREATE TABLE menu_items (
    menu_id BIGINT  NOT NULL REFERENCES menus (id) ON DELETE CASCADE,
    day     INTEGER NOT NULL,
    meal    TEXT    NOT NULL,
    slot    TEXT    NOT NULL,
    dish_id BIGINT  NOT NULL REFERENCES dishes (id),
    PRIMARY KEY (menu_id, day, meal, slot),
    CONSTRAINT menu_items_day CHECK (day BETWEEN 1 AND 7)
);
CREATE INDEX menu_items_dish ON menu_items (dish_id);

-- Which version of a published menu each user last read, so an edit made after that shows as
-- a change to them.
CREATE TABLE menu_receipts (
    menu_id      BIGINT    NOT NULL REFERENCES menus (id) ON DELETE CASCADE,
    user_id      BIGINT    NOT NULL REFERENCES users (id),
    seen_version BIGINT    NOT NULL,
    seen_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (menu_id, user_id)
);
