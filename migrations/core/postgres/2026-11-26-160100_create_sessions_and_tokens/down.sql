DROP TABLE password_resets;
DROP TABLE api_tokens;
DROP TABLE sessions;
