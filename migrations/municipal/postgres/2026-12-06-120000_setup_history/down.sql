DROP TABLE municipal_setup_history;
