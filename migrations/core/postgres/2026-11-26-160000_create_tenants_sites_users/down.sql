DROP TABLE users;
DROP TABLE sites;
DROP TABLE tenants;
