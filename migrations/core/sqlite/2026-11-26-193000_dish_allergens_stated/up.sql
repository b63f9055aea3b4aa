-- Whether someone has stated a dish's allergens. A dish the menu editor or an import creates
-- from a name alone has none stated yet; its empty allergen set means "unknown", not "none",
-- and the kitchen plan warns about it for every diet that excludes allergens.
-- Additive: existing dishes were entered with their allergens through the API.
ALTER TABLE dishes ADD COLUMN allergens_stated BOOLEAN NOT NULL DEFAULT TRUE;
