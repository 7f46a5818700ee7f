-- +goose Up
-- Each carrier connection's call budget (a token bucket) and pause, kept
-- where every instance sees them, so that N instances polling one
-- connection keep together to its rate instead of N times it.
CREATE TABLE carrier_budgets (
    org_id          INTEGER          NOT NULL,
    slug            TEXT             NOT NULL,
    connection_id   TEXT             NOT NULL,
    tokens          REAL             NOT NULL,
    refilled_us     INTEGER          NOT NULL,
    paused_until_us INTEGER          NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, slug, connection_id)
);

-- +goose Down
DROP TABLE carrier_budgets;
