DROP TABLE module_flags;
