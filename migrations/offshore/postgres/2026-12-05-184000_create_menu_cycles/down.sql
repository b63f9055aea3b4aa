DROP TABLE offshore_cycle_items;
DROP TABLE offshore_cycle_weeks;
DROP TABLE offshore_menu_cycles;
