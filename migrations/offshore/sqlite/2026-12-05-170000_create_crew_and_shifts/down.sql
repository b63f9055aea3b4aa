DROP TABLE offshore_period_exceptions;
DROP TABLE offshore_shifts;
DROP TABLE offshore_crew;
DROP TABLE offshore_patterns;
DROP TABLE offshore_rota_settings;
