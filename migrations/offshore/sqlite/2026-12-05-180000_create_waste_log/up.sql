-- The offshore waste log: per site, date, meal and category (optionally a dish) what was
-- cooked, served and left over, in whole grams; and each site's portion guideline per
-- category, the baseline of the portion advice.

CREATE TABLE offshore_waste_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    date       DATE      NOT NULL,
    meal       TEXT      NOT NULL,
    category   TEXT      NOT NULL,
    dish       TEXT,
    guests     INTEGER   NOT NULL,
    produced_g BIGINT    NOT NULL,
    served_g   BIGINT    NOT NULL,
    leftover_g BIGINT    NOT NULL,
    created_by BIGINT    REFERENCES users (id),
    version    BIGINT    NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    CONSTRAINT offshore_waste_entries_meal CHECK (meal IN ('lunch', 'dinner', 'night')),
    CONSTRAINT offshore_waste_entries_category CHECK (category IN
        ('soup', 'fish', 'meat', 'vegetarian', 'dessert', 'extra', 'night_meal')),
    CONSTRAINT offshore_waste_entries_guests CHECK (guests BETWEEN 0 AND 2000),
    CONSTRAINT offshore_waste_entries_grams CHECK (
        produced_g BETWEEN 0 AND 100000000 AND served_g >= 0 AND leftover_g >= 0
        AND served_g <= produced_g AND leftover_g <= produced_g)
);
CREATE INDEX offshore_waste_entries_site_date ON offshore_waste_entries (site_id, date);

-- No row for a category means the default of 400 g per guest. A site's rows are written
-- together and share one version (the ETag of the site's guidelines; 0 before any row).
CREATE TABLE offshore_portion_guidelines (
    site_id         BIGINT    NOT NULL REFERENCES sites (id),
    category        TEXT      NOT NULL,
    tenant_id       BIGINT    NOT NULL REFERENCES tenants (id),
    grams_per_guest INTEGER   NOT NULL,
    version         BIGINT    NOT NULL DEFAULT 1,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, category),
    CONSTRAINT offshore_portion_guidelines_category CHECK (category IN
        ('soup', 'fish', 'meat', 'vegetarian', 'dessert', 'extra', 'night_meal')),
    CONSTRAINT offshore_portion_guidelines_grams CHECK (grams_per_guest BETWEEN 50 AND 2000)
);
