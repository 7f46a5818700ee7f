-- +goose Up
CREATE TABLE channels (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT  NOT NULL REFERENCES organizations (id),
    name            TEXT    NOT NULL,
    webhook_hash    TEXT    NOT NULL UNIQUE,
    fulfillment_url TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX channels_org ON channels (org_id, id);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT  NOT NULL REFERENCES organizations (id),
    email      TEXT    NOT NULL DEFAULT '',
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX customers_org ON customers (org_id, id);
CREATE INDEX customers_org_email ON customers (org_id, email);

CREATE TABLE dropship_providers (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    UNIQUE (org_id, external_id)
);

CREATE TABLE sales (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    channel_id  BIGINT  NOT NULL REFERENCES channels (id),
    customer_id BIGINT  NOT NULL DEFAULT 0,
    external_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    doc         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX sales_org ON sales (org_id, id);
CREATE INDEX sales_org_external ON sales (org_id, external_id);
CREATE INDEX sales_org_channel ON sales (org_id, channel_id);
CREATE INDEX sales_org_customer ON sales (org_id, customer_id);
CREATE INDEX sales_org_status ON sales (org_id, status);

CREATE TABLE sale_items (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT  NOT NULL REFERENCES organizations (id),
    sale_id              BIGINT  NOT NULL REFERENCES sales (id),
    external_id          TEXT    NOT NULL,
    dropship_provider_id BIGINT  NOT NULL DEFAULT 0,
    doc                  TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    UNIQUE (sale_id, external_id)
);
CREATE INDEX sale_items_org ON sale_items (org_id, id);
CREATE INDEX sale_items_org_sale ON sale_items (org_id, sale_id);

CREATE TABLE purchases (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT  NOT NULL REFERENCES organizations (id),
    sale_id              BIGINT  NOT NULL REFERENCES sales (id),
    dropship_provider_id BIGINT  NOT NULL REFERENCES dropship_providers (id),
    reference            TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    UNIQUE (sale_id, dropship_provider_id)
);
CREATE INDEX purchases_org ON purchases (org_id, id);
CREATE INDEX purchases_org_sale ON purchases (org_id, sale_id);
CREATE INDEX purchases_org_provider ON purchases (org_id, dropship_provider_id);

CREATE TABLE purchase_items (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT  NOT NULL REFERENCES organizations (id),
    purchase_id  BIGINT  NOT NULL REFERENCES purchases (id),
    sale_item_id BIGINT  NOT NULL REFERENCES sale_items (id),
    quantity     BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    UNIQUE (purchase_id, sale_item_id)
);
CREATE INDEX purchase_items_org_purchase ON purchase_items (org_id, purchase_id);
CREATE INDEX purchase_items_org_sale_item ON purchase_items (org_id, sale_item_id);

CREATE TABLE dropshipments (
    id               INTEGER PRIMARY KEY,
    org_id           BIGINT  NOT NULL REFERENCES organizations (id),
    sale_id          BIGINT  NOT NULL REFERENCES sales (id),
    purchase_id      BIGINT  NOT NULL REFERENCES purchases (id),
    tracking_number  TEXT    NOT NULL DEFAULT '',
    tracking_id      TEXT    NOT NULL DEFAULT '',
    acknowledged_at  BIGINT  NOT NULL DEFAULT 0,
    doc              TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX dropshipments_org ON dropshipments (org_id, id);
CREATE INDEX dropshipments_org_sale ON dropshipments (org_id, sale_id);
CREATE INDEX dropshipments_org_purchase ON dropshipments (org_id, purchase_id);
CREATE INDEX dropshipments_org_number ON dropshipments (org_id, tracking_number);

CREATE TABLE dropshipment_items (
    id               INTEGER PRIMARY KEY,
    org_id           BIGINT  NOT NULL REFERENCES organizations (id),
    dropshipment_id  BIGINT  NOT NULL REFERENCES dropshipments (id),
    sale_item_id     BIGINT  NOT NULL REFERENCES sale_items (id),
    purchase_item_id BIGINT  NOT NULL REFERENCES purchase_items (id),
    quantity         BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX dropshipment_items_org_dropshipment ON dropshipment_items (org_id, dropshipment_id);

CREATE TABLE variants (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id),
    channel_id  BIGINT  NOT NULL REFERENCES channels (id),
    sku         TEXT    NOT NULL,
    external_id TEXT    NOT NULL DEFAULT '',
    doc         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (channel_id, sku)
);
CREATE INDEX variants_org ON variants (org_id, id);
CREATE INDEX variants_org_channel_external ON variants (org_id, channel_id, external_id);
CREATE INDEX variants_org_sku ON variants (org_id, sku);

CREATE TABLE inbound_messages (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT  NOT NULL REFERENCES organizations (id),
    channel_id   BIGINT  NOT NULL REFERENCES channels (id),
    kind         TEXT    NOT NULL,
    priority     BIGINT  NOT NULL,
    external_id  TEXT    NOT NULL DEFAULT '',
    body         BLOB    NOT NULL,
    received_at  BIGINT  NOT NULL,
    status       TEXT    NOT NULL,
    errors       TEXT    NOT NULL DEFAULT '',
    result       TEXT    NOT NULL DEFAULT '',
    processed_at BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX inbound_pending ON inbound_messages (status, channel_id, priority, id);
CREATE INDEX inbound_channel_external ON inbound_messages (channel_id, kind, external_id);
CREATE INDEX inbound_org_received ON inbound_messages (org_id, received_at);

-- +goose Down
DROP TABLE inbound_messages;
DROP TABLE variants;
DROP TABLE dropshipment_items;
DROP TABLE dropshipments;
DROP TABLE purchase_items;
DROP TABLE purchases;
DROP TABLE sale_items;
DROP TABLE sales;
DROP TABLE dropship_providers;
DROP TABLE customers;
DROP TABLE channels;
