DROP TABLE offshore_freezer_moves;
DROP TABLE offshore_freezer_items;
DROP TABLE offshore_prep_history;
DROP TABLE offshore_prep_tasks;
