-- A site's standing set-up (departments, their residents and diet counts, standing schedules,
-- diet types and settings) as it was for the weeks that were over when it last changed. A set-up
-- write first stores the set-up it is about to change, covering every week that is over and not
-- yet covered, so a past week's plan and report never change afterwards (decision 0020).
-- `until_week` is year * 100 + ISO week, so that weeks compare as numbers.
CREATE TABLE municipal_setup_history (
    site_id    BIGINT    NOT NULL REFERENCES sites (id),
    tenant_id  BIGINT    NOT NULL REFERENCES tenants (id),
    until_week INTEGER   NOT NULL,
    setup      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, until_week)
);
