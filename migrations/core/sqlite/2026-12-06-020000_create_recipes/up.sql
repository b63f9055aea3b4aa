-- Recipes of a tenant (core: every module cooks), optionally the recipe of one dish. Amounts
-- are integers, thousandths of the unit as written (see core/src/kitchen/recipes/units.rs).
CREATE TABLE recipes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT    NOT NULL REFERENCES tenants (id),
    dish_id        BIGINT    REFERENCES dishes (id),
    name           TEXT      NOT NULL,
    -- The name folded for search (lower case, single spaces), computed by Galley.
    name_key       TEXT      NOT NULL,
    yield_portions BIGINT    NOT NULL CHECK (yield_portions > 0),
    -- The steps, one a line (a step cannot hold a control character).
    steps          TEXT      NOT NULL DEFAULT '',
    version        BIGINT    NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    deleted_at     TIMESTAMP
);
CREATE INDEX recipes_tenant ON recipes (tenant_id, name_key);
-- At most one live recipe per dish.
CREATE UNIQUE INDEX recipes_dish_live ON recipes (dish_id) WHERE deleted_at IS NULL AND dish_id IS NOT NULL;

-- The ingredient lines of a recipe, in order; replaced as a whole when the recipe is saved.
CREATE TABLE recipe_ingredients (
    recipe_id    BIGINT NOT NULL REFERENCES recipes (id),
    position     BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    amount_milli BIGINT NOT NULL,
    unit         TEXT   NOT NULL,
    allergens    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (recipe_id, position)
);
