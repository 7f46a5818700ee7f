-- +goose Up
-- Returns: the organization's rules, the returns themselves (indexed
-- columns plus a JSON document), and the quantities each order's returns
-- claim per line. The CHECK on return_quantities is what makes "the
-- returns of an order never exceed a line's quantity" hold whatever the
-- code does; claims are conditional updates of one row, so two returns
-- racing for the last item cannot both win.
CREATE TABLE return_settings (
    org_id     BIGINT NOT NULL PRIMARY KEY REFERENCES organizations (id),
    doc        TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE returns (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT   NOT NULL UNIQUE,
    org_id             BIGINT NOT NULL REFERENCES organizations (id),
    rma                TEXT   NOT NULL,
    page_token         TEXT   NOT NULL UNIQUE,
    status             TEXT   NOT NULL,
    order_key          TEXT   NOT NULL,
    order_number       TEXT   NOT NULL DEFAULT '',
    return_tracking_id TEXT   NOT NULL DEFAULT '',
    doc                TEXT   NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL DEFAULT 0,
    UNIQUE (org_id, rma)
);
CREATE INDEX returns_org_created ON returns (org_id, created_at, id);
CREATE INDEX returns_org_status ON returns (org_id, status, created_at);
CREATE INDEX returns_org_order ON returns (org_id, order_number);
CREATE INDEX returns_org_order_key ON returns (org_id, order_key);
CREATE INDEX returns_org_tracking ON returns (org_id, return_tracking_id);
CREATE INDEX returns_expiring ON returns (status, expires_at);

CREATE TABLE return_quantities (
    org_id    BIGINT NOT NULL REFERENCES organizations (id),
    order_key TEXT   NOT NULL,
    line_id   TEXT   NOT NULL,
    ordered   BIGINT NOT NULL,
    claimed   BIGINT NOT NULL DEFAULT 0,
    CHECK (claimed >= 0 AND claimed <= ordered),
    PRIMARY KEY (org_id, order_key, line_id)
);

-- +goose Down
DROP TABLE return_quantities;
DROP TABLE returns;
DROP TABLE return_settings;
