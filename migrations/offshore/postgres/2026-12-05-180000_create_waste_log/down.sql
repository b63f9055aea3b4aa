DROP TABLE offshore_portion_guidelines;
DROP TABLE offshore_waste_entries;
