ALTER TABLE week_residents DROP COLUMN dinner_residents;
ALTER TABLE standing_residents DROP COLUMN dinner_residents;
