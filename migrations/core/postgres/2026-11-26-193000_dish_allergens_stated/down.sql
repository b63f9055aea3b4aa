ALTER TABLE dishes DROP COLUMN allergens_stated;
