package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// Cond restricts a commerce listing to rows whose column holds one of
// Values. Column must be one of the table's filterable columns
// (FilterColumns); anything else gives EINVALID.
type Cond struct {
	Column string
	Values []any
	// AtLeast makes the condition "Column >= Values[0]" instead of "IN".
	AtLeast bool
}

// Since is the condition that a time column is at or after t.
func Since(column string, t time.Time) Cond {
	return Cond{Column: column, Values: []any{toMicros(t)}, AtLeast: true}
}

// Page is an offset page of a listing, oldest first.
type Page struct {
	Limit  int
	Offset int
}

// FilterColumns lists, per commerce table, the columns a listing may filter
// on. Column names are never taken from a request without this check.
var FilterColumns = map[string][]string{
	"channels":           {"id", "name", "webhook_hash"},
	"customers":          {"id", "email"},
	"dropship_providers": {"id", "external_id"},
	"sales":              {"id", "channel_id", "customer_id", "external_id", "status"},
	"sale_items":         {"id", "sale_id", "external_id", "dropship_provider_id"},
	"purchases":          {"id", "sale_id", "dropship_provider_id", "reference", "status"},
	"purchase_items":     {"id", "purchase_id", "sale_item_id"},
	"dropshipments":      {"id", "sale_id", "purchase_id", "tracking_number", "tracking_id", "created_at"},
	"dropshipment_items": {"id", "dropshipment_id", "sale_item_id", "purchase_item_id"},
	"variants":           {"id", "channel_id", "sku", "external_id"},

	"dropshipment_tracking_events": {"id", "dropshipment_id", "transaction_id", "status"},
}

// maxIn bounds the values of one Cond (side-loading asks for at most a page
// of parents at a time).
const maxIn = 1000

// listRows runs "SELECT cols FROM table WHERE org_id = $1 AND conds ORDER BY
// id LIMIT OFFSET" and scans each row.
func listRows[T any](ctx context.Context, q *Queries, table, cols string, scan func(scanner) (T, error), orgID int64, conds []Cond, p Page) ([]T, error) {
	var sb strings.Builder
	args := []any{orgID}
	fmt.Fprintf(&sb, "SELECT %s FROM %s WHERE org_id = $1", cols, table)
	for _, c := range conds {
		if !allowedColumn(table, c.Column) {
			return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "cannot filter %s on %s", table, c.Column)
		}
		if len(c.Values) == 0 {
			return nil, nil
		}
		if c.AtLeast {
			args = append(args, c.Values[0])
			sb.WriteString(" AND " + c.Column + " >= $" + strconv.Itoa(len(args)))
			continue
		}
		if len(c.Values) > maxIn {
			return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "too many values for %s", c.Column)
		}
		sb.WriteString(" AND " + c.Column + " IN (")
		for i, v := range c.Values {
			if i > 0 {
				sb.WriteString(", ")
			}
			args = append(args, v)
			sb.WriteString("$" + strconv.Itoa(len(args)))
		}
		sb.WriteString(")")
	}
	sb.WriteString(" ORDER BY id")
	if p.Limit > 0 {
		args = append(args, p.Limit, p.Offset)
		fmt.Fprintf(&sb, " LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	}
	rows, err := q.q.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	return out, nil
}

func allowedColumn(table, col string) bool {
	for _, c := range FilterColumns[table] {
		if c == col {
			return true
		}
	}
	return false
}

// getRow returns the one row of table with that id in the organization, or
// ENOTFOUND naming what.
func getRow[T any](ctx context.Context, q *Queries, table, cols string, scan func(scanner) (T, error), orgID, id int64, what string) (T, error) {
	rows, err := listRows(ctx, q, table, cols, scan, orgID, []Cond{{Column: "id", Values: []any{id}}}, Page{})
	if err != nil {
		var zero T
		return zero, err
	}
	if len(rows) == 0 {
		var zero T
		return zero, waybill.Errorf(waybill.ENOTFOUND, "%s %d does not exist.", what, id)
	}
	return rows[0], nil
}

// IDs is a convenience for a Cond on internal ids.
func IDs(ids ...int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func insertID(ctx context.Context, q *Queries, what, query string, args ...any) (int64, error) {
	var id int64
	if err := q.q.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert %s: %w", what, err)
	}
	return id, nil
}

func encodeDoc(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode document: %w", err)
	}
	return string(b), nil
}

func decodeDoc(doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("decode document: %w", err)
	}
	return nil
}

// --- channels ---

const channelCols = "id, org_id, name, webhook_hash, fulfillment_url, created_at"

func scanChannel(r scanner) (waybill.Channel, error) {
	var c waybill.Channel
	var created int64
	if err := r.Scan(&c.ID, &c.OrgID, &c.Name, &c.WebhookHash, &c.FulfillmentURL, &created); err != nil {
		return c, fmt.Errorf("read channel: %w", err)
	}
	c.CreatedAt = fromMicros(created)
	return c, nil
}

// InsertChannel stores a channel and sets c.ID.
func (q *Queries) InsertChannel(ctx context.Context, c *waybill.Channel) error {
	id, err := insertID(ctx, q, "channel", `INSERT INTO channels (org_id, name, webhook_hash, fulfillment_url, created_at)
		VALUES ($1, $2, $3, $4, $5)`, c.OrgID, c.Name, c.WebhookHash, c.FulfillmentURL, toMicros(c.CreatedAt))
	c.ID = id
	return err
}

// UpdateChannel writes the channel's name and fulfillment URL.
func (q *Queries) UpdateChannel(ctx context.Context, c waybill.Channel) error {
	res, err := q.q.ExecContext(ctx, `UPDATE channels SET name = $1, fulfillment_url = $2 WHERE org_id = $3 AND id = $4`,
		c.Name, c.FulfillmentURL, c.OrgID, c.ID)
	if err != nil {
		return fmt.Errorf("update channel %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waybill.Errorf(waybill.ENOTFOUND, "Channel does not exist.")
	}
	return nil
}

// Channel returns the organization's channel, or ENOTFOUND.
func (q *Queries) Channel(ctx context.Context, orgID, id int64) (waybill.Channel, error) {
	return getRow(ctx, q, "channels", channelCols, scanChannel, orgID, id, "Channel")
}

// Channels lists the organization's channels.
func (q *Queries) Channels(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Channel, error) {
	return listRows(ctx, q, "channels", channelCols, scanChannel, orgID, conds, p)
}

// ChannelByHash returns the channel whose webhook hash is hash, in any
// organization, or EUNAUTHORIZED.
func (q *Queries) ChannelByHash(ctx context.Context, hash string) (waybill.Channel, error) {
	c, err := scanChannel(q.q.QueryRowContext(ctx, `SELECT `+channelCols+` FROM channels WHERE webhook_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return c, waybill.Errorf(waybill.EUNAUTHORIZED, "Unknown webhook hash.")
	}
	return c, err
}

// --- customers ---

const customerCols = "id, org_id, email, first_name, last_name, created_at, updated_at"

func scanCustomer(r scanner) (waybill.Customer, error) {
	var c waybill.Customer
	var created, updated int64
	if err := r.Scan(&c.ID, &c.OrgID, &c.Email, &c.FirstName, &c.LastName, &created, &updated); err != nil {
		return c, fmt.Errorf("read customer: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// Customers lists the organization's customers.
func (q *Queries) Customers(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Customer, error) {
	return listRows(ctx, q, "customers", customerCols, scanCustomer, orgID, conds, p)
}

// Customer returns one customer, or ENOTFOUND.
func (q *Queries) Customer(ctx context.Context, orgID, id int64) (waybill.Customer, error) {
	return getRow(ctx, q, "customers", customerCols, scanCustomer, orgID, id, "Customer")
}

// SaveCustomer inserts c when c.ID is 0 (setting it) and updates it otherwise.
func (q *Queries) SaveCustomer(ctx context.Context, c *waybill.Customer) error {
	if c.ID == 0 {
		id, err := insertID(ctx, q, "customer", `INSERT INTO customers (org_id, email, first_name, last_name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.OrgID, c.Email, c.FirstName, c.LastName, toMicros(c.CreatedAt), toMicros(c.UpdatedAt))
		c.ID = id
		return err
	}
	_, err := q.q.ExecContext(ctx, `UPDATE customers SET email = $1, first_name = $2, last_name = $3, updated_at = $4
		WHERE org_id = $5 AND id = $6`, c.Email, c.FirstName, c.LastName, toMicros(c.UpdatedAt), c.OrgID, c.ID)
	if err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	return nil
}

// --- dropship providers ---

const providerCols = "id, org_id, external_id, name, created_at"

func scanProvider(r scanner) (waybill.DropshipProvider, error) {
	var p waybill.DropshipProvider
	var created int64
	if err := r.Scan(&p.ID, &p.OrgID, &p.ExternalID, &p.Name, &created); err != nil {
		return p, fmt.Errorf("read dropship provider: %w", err)
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}

// Providers lists the organization's dropship providers.
func (q *Queries) Providers(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.DropshipProvider, error) {
	return listRows(ctx, q, "dropship_providers", providerCols, scanProvider, orgID, conds, p)
}

// EnsureProvider returns the organization's provider with that external id,
// creating it (named name, or the external id) when there is none.
func (q *Queries) EnsureProvider(ctx context.Context, orgID int64, externalID, name string, now time.Time) (waybill.DropshipProvider, error) {
	if name == "" {
		name = externalID
	}
	// Known vendors are the common case: one query.
	if ps, err := q.Providers(ctx, orgID, []Cond{{Column: "external_id", Values: []any{externalID}}}, Page{}); err != nil {
		return waybill.DropshipProvider{}, err
	} else if len(ps) > 0 {
		return ps[0], nil
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO dropship_providers (org_id, external_id, name, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, external_id) DO NOTHING`, orgID, externalID, name, toMicros(now))
	if err != nil {
		return waybill.DropshipProvider{}, fmt.Errorf("ensure dropship provider %q: %w", externalID, err)
	}
	ps, err := q.Providers(ctx, orgID, []Cond{{Column: "external_id", Values: []any{externalID}}}, Page{})
	if err != nil {
		return waybill.DropshipProvider{}, err
	}
	if len(ps) == 0 {
		return waybill.DropshipProvider{}, fmt.Errorf("dropship provider %q vanished", externalID)
	}
	return ps[0], nil
}

// --- sales ---

const saleCols = "id, org_id, channel_id, customer_id, external_id, status, doc, created_at, updated_at"

func scanSale(r scanner) (waybill.Sale, error) {
	var s waybill.Sale
	var id, org, channel, customer, created, updated int64
	var ext, status, doc string
	if err := r.Scan(&id, &org, &channel, &customer, &ext, &status, &doc, &created, &updated); err != nil {
		return s, fmt.Errorf("read sale: %w", err)
	}
	if err := decodeDoc(doc, &s); err != nil {
		return s, err
	}
	s.ID, s.OrgID, s.ChannelID, s.CustomerID, s.ExternalID, s.Status = id, org, channel, customer, ext, status
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, nil
}

// Sales lists the organization's sales.
func (q *Queries) Sales(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.Sale, error) {
	return listRows(ctx, q, "sales", saleCols, scanSale, orgID, conds, p)
}

// Sale returns one sale, or ENOTFOUND.
func (q *Queries) Sale(ctx context.Context, orgID, id int64) (waybill.Sale, error) {
	return getRow(ctx, q, "sales", saleCols, scanSale, orgID, id, "Sale")
}

// SaleByExternalID returns the channel's sale with that external id, or
// ENOTFOUND.
func (q *Queries) SaleByExternalID(ctx context.Context, orgID, channelID int64, externalID string) (waybill.Sale, error) {
	ss, err := q.Sales(ctx, orgID, []Cond{{Column: "channel_id", Values: []any{channelID}}, {Column: "external_id", Values: []any{externalID}}}, Page{})
	if err != nil {
		return waybill.Sale{}, err
	}
	if len(ss) == 0 {
		return waybill.Sale{}, waybill.Errorf(waybill.ENOTFOUND, "Sale %q does not exist.", externalID)
	}
	return ss[0], nil
}

// SaveSale inserts s when s.ID is 0 (setting it) and updates it otherwise.
// A second sale with the same channel and external id gives ECONFLICT.
func (q *Queries) SaveSale(ctx context.Context, s *waybill.Sale) error {
	doc, err := encodeDoc(s)
	if err != nil {
		return err
	}
	if s.ID == 0 {
		var id int64
		err := q.q.QueryRowContext(ctx, `INSERT INTO sales (org_id, channel_id, customer_id, external_id, status, doc, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id`,
			s.OrgID, s.ChannelID, s.CustomerID, s.ExternalID, s.Status, doc, toMicros(s.CreatedAt), toMicros(s.UpdatedAt)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return waybill.Errorf(waybill.ECONFLICT, "Sale %q already exists.", s.ExternalID)
		} else if err != nil {
			return fmt.Errorf("insert sale %q: %w", s.ExternalID, err)
		}
		s.ID = id
		return nil
	}
	_, err = q.q.ExecContext(ctx, `UPDATE sales SET customer_id = $1, status = $2, doc = $3, updated_at = $4 WHERE org_id = $5 AND id = $6`,
		s.CustomerID, s.Status, doc, toMicros(s.UpdatedAt), s.OrgID, s.ID)
	if err != nil {
		return fmt.Errorf("update sale %d: %w", s.ID, err)
	}
	return nil
}

// --- sale items ---

const saleItemCols = "id, org_id, sale_id, external_id, dropship_provider_id, doc, created_at, updated_at"

func scanSaleItem(r scanner) (waybill.SaleItem, error) {
	var it waybill.SaleItem
	var id, org, sale, provider, created, updated int64
	var ext, doc string
	if err := r.Scan(&id, &org, &sale, &ext, &provider, &doc, &created, &updated); err != nil {
		return it, fmt.Errorf("read sale item: %w", err)
	}
	if err := decodeDoc(doc, &it); err != nil {
		return it, err
	}
	it.ID, it.OrgID, it.SaleID, it.ExternalID, it.DropshipProviderID = id, org, sale, ext, provider
	it.CreatedAt, it.UpdatedAt = fromMicros(created), fromMicros(updated)
	return it, nil
}

// SaleItems lists the organization's sale items.
func (q *Queries) SaleItems(ctx context.Context, orgID int64, conds []Cond, p Page) ([]waybill.SaleItem, error) {
	return listRows(ctx, q, "sale_items", saleItemCols, scanSaleItem, orgID, conds, p)
}

// SaveSaleItem inserts it when it.ID is 0 (setting it) and updates it otherwise.
func (q *Queries) SaveSaleItem(ctx context.Context, it *waybill.SaleItem) error {
	doc, err := encodeDoc(it)
	if err != nil {
		return err
	}
	if it.ID == 0 {
		id, err := insertID(ctx, q, "sale item", `INSERT INTO sale_items (org_id, sale_id, external_id, dropship_provider_id, doc, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, it.OrgID, it.SaleID, it.ExternalID, it.DropshipProviderID, doc, toMicros(it.CreatedAt), toMicros(it.UpdatedAt))
		it.ID = id
		return err
	}
	_, err = q.q.ExecContext(ctx, `UPDATE sale_items SET dropship_provider_id = $1, doc = $2, updated_at = $3 WHERE org_id = $4 AND id = $5`,
		it.DropshipProviderID, doc, toMicros(it.UpdatedAt), it.OrgID, it.ID)
	if err != nil {
		return fmt.Errorf("update sale item %d: %w", it.ID, err)
	}
	return nil
}
