-- Dinner can count other residents than lunch: a schedule's weekday may carry its own dinner
-- count; NULL means dinner counts as lunch (every row before this migration).
ALTER TABLE standing_residents ADD COLUMN dinner_residents INTEGER
    CONSTRAINT standing_residents_dinner CHECK (dinner_residents BETWEEN 0 AND 1000);
ALTER TABLE week_residents ADD COLUMN dinner_residents INTEGER
    CONSTRAINT week_residents_dinner CHECK (dinner_residents BETWEEN 0 AND 1000);
