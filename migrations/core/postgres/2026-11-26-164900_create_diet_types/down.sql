DROP TABLE diet_types;
