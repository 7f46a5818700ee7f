package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// The queries of this file write or read many rows of one table at once.
// On PostgreSQL each is one statement whose text does not depend on the
// number of rows: the rows travel as arrays (unnest), so that the inbound
// processor creates a turn's new sales in a handful of round trips, and
// pgx's statement cache does not fill with one shape per row count. On
// SQLite, where a statement is a call within the process, writes are
// prepared single-row statements and lists travel as one JSON array
// (json_each).

// bulkColumn is a column of a bulk insert: its name and its PostgreSQL
// array type ("bigint" or "text").
type bulkColumn struct {
	name, pgType string
}

// bulkInsertSQL returns the PostgreSQL statement that inserts the rows of
// its arguments (see bulkArgs) into table's columns.
func bulkInsertSQL(table string, cols []bulkColumn, suffix string) string {
	var names, sel []string
	for i, c := range cols {
		names = append(names, c.name)
		sel = append(sel, fmt.Sprintf("$%d::%s[]", i+1, c.pgType))
	}
	return "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT * FROM unnest(" + strings.Join(sel, ", ") + ")" + suffix
}

// bulkArgs turns rows (each a value per column: int64 or string) into the
// arguments of bulkInsertSQL's statement: one typed array per column.
func bulkArgs(cols []bulkColumn, rows [][]any) []any {
	args := make([]any, len(cols))
	for i, c := range cols {
		switch c.pgType {
		case "bigint":
			col := make([]int64, len(rows))
			for j, r := range rows {
				col[j] = r[i].(int64)
			}
			args[i] = col
		default:
			col := make([]string, len(rows))
			for j, r := range rows {
				col[j] = r[i].(string)
			}
			args[i] = col
		}
	}
	return args
}

// bulkInsert inserts rows into table and returns how many it inserted.
func (q *Queries) bulkInsert(ctx context.Context, table string, cols []bulkColumn, rows [][]any, suffix string) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	if q.engine != Postgres {
		return q.insertRows(ctx, table, cols, rows, suffix)
	}
	res, err := q.q.ExecContext(ctx, bulkInsertSQL(table, cols, suffix), bulkArgs(cols, rows)...)
	if err != nil {
		return 0, fmt.Errorf("insert %s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert %s: %w", table, err)
	}
	return n, nil
}

// insertRows is bulkInsert for SQLite: multi-row INSERTs of up to
// maxRowsPerInsert rows, in chunks of a power of two rows, so that a
// table has at most seven statement shapes, each prepared once. Reading
// the rows out of one JSON document (json_each) cost more CPU than
// single-row statements (SQLite parsed every document column twice);
// one statement for several rows saves the per-statement work of
// database/sql and the driver. The parameters are anonymous (?), bound in
// order: for a numbered one ($1) the driver asks SQLite its name at every
// bind, a lookup that walks the statement's list of names (quadratic in a
// multi-row statement's parameters).
func (q *Queries) insertRows(ctx context.Context, table string, cols []bulkColumn, rows [][]any, suffix string) (int64, error) {
	var n int64
	var args []any
	for len(rows) > 0 {
		size := maxRowsPerInsert
		for size > len(rows) {
			size /= 2
		}
		args = args[:0]
		for _, r := range rows[:size] {
			args = append(args, r...)
		}
		res, err := q.q.ExecContext(ctx, insertRowsSQL(table, cols, size, suffix), args...)
		if err != nil {
			return n, fmt.Errorf("insert %s: %w", table, err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("insert %s: %w", table, err)
		}
		n += k
		rows = rows[size:]
	}
	return n, nil
}

// maxRowsPerInsert is the most rows of one insertRows statement (a power
// of two).
const maxRowsPerInsert = 64

// insertRowsSQL returns insertRows' statement for rows rows of cols.
func insertRowsSQL(table string, cols []bulkColumn, rows int, suffix string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c.name)
	}
	sb.WriteString(") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row)
	}
	sb.WriteString(suffix)
	return sb.String()
}

// textList is a list of strings as one argument: a text[] on PostgreSQL,
// a JSON array on SQLite (read with json_each).
func (q *Queries) textList(vs []string) any {
	if q.engine == Postgres {
		return vs
	}
	b, _ := json.Marshal(vs)
	return string(b)
}

// idTables are the tables AllocateIDs serves.
var idTables = []string{"customers", "sales", "sale_items", "purchases", "purchase_items"}

// AllocateIDs reserves counts[table] new ids in each table (customers,
// sales, sale_items, purchases, purchase_items) and returns them in
// ascending order, for rows the caller then inserts with those ids in the
// same transaction. PostgreSQL takes them from the tables' sequences (one
// round trip for all); on SQLite, whose single writer the transaction
// holds, they follow the tables' highest ids.
func (t *Tx) AllocateIDs(ctx context.Context, counts map[string]int) (map[string][]int64, error) {
	out := map[string][]int64{}
	var tables []string
	var ns []int64
	for _, table := range idTables {
		if n := counts[table]; n > 0 {
			tables = append(tables, table)
			ns = append(ns, int64(n))
		}
	}
	for table := range counts {
		if !slices.Contains(idTables, table) {
			return nil, fmt.Errorf("allocate ids: unknown table %s", table)
		}
	}
	if len(tables) == 0 {
		return out, nil
	}
	if t.engine == Postgres {
		// Each table's sequence is looked up once (the CTE), not once per
		// id: nextval of a name parses it and searches the catalog at
		// every call, which cost a turn of 100 sales (900 ids) several
		// times the nextvals themselves.
		rows, err := t.q.QueryContext(ctx, `WITH x AS MATERIALIZED (
				SELECT t, n, pg_get_serial_sequence(t, 'id')::regclass AS seq FROM unnest($1::text[], $2::bigint[]) AS u(t, n))
			SELECT x.t, nextval(x.seq) FROM x, generate_series(1, x.n)`, tables, ns)
		if err != nil {
			return nil, fmt.Errorf("allocate ids: %w", err)
		}
		for rows.Next() {
			var table string
			var id int64
			if err := rows.Scan(&table, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("allocate ids: %w", err)
			}
			out[table] = append(out[table], id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, fmt.Errorf("allocate ids: %w", err)
		}
		for i, table := range tables {
			if int64(len(out[table])) != ns[i] {
				return nil, fmt.Errorf("allocate ids: got %d %s ids for %d", len(out[table]), table, ns[i])
			}
			slices.Sort(out[table])
		}
		return out, nil
	}
	for i, table := range tables {
		var top int64
		if err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&top); err != nil {
			return nil, fmt.Errorf("allocate %s ids: %w", table, err)
		}
		ids := make([]int64, ns[i])
		for j := range ids {
			ids[j] = top + int64(j) + 1
		}
		out[table] = ids
	}
	return out, nil
}

// CustomersByEmail returns, for each of emails, the organization's first
// customer (lowest id) with exactly that email.
func (q *Queries) CustomersByEmail(ctx context.Context, orgID int64, emails []string) (map[string]waybill.Customer, error) {
	out := map[string]waybill.Customer{}
	if len(emails) == 0 {
		return out, nil
	}
	query := `SELECT ` + customerCols + ` FROM customers WHERE org_id = $1 AND email IN (SELECT value FROM json_each($2)) ORDER BY id`
	if q.engine == Postgres {
		query = `SELECT ` + customerCols + ` FROM customers WHERE org_id = $1 AND email = ANY($2::text[]) ORDER BY id`
	}
	rows, err := q.q.QueryContext(ctx, query, orgID, q.textList(emails))
	if err != nil {
		return nil, fmt.Errorf("find customers by email: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		if _, ok := out[c.Email]; !ok {
			out[c.Email] = c
		}
	}
	return out, rows.Err()
}

// ProvidersByExternalID returns the organization's dropship providers with
// those external ids, by external id.
func (q *Queries) ProvidersByExternalID(ctx context.Context, orgID int64, externalIDs []string) (map[string]waybill.DropshipProvider, error) {
	out := map[string]waybill.DropshipProvider{}
	if len(externalIDs) == 0 {
		return out, nil
	}
	query := `SELECT ` + providerCols + ` FROM dropship_providers WHERE org_id = $1 AND external_id IN (SELECT value FROM json_each($2))`
	if q.engine == Postgres {
		query = `SELECT ` + providerCols + ` FROM dropship_providers WHERE org_id = $1 AND external_id = ANY($2::text[])`
	}
	rows, err := q.q.QueryContext(ctx, query, orgID, q.textList(externalIDs))
	if err != nil {
		return nil, fmt.Errorf("find dropship providers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		out[p.ExternalID] = p
	}
	return out, rows.Err()
}

var customerBulk = []bulkColumn{{"id", "bigint"}, {"org_id", "bigint"}, {"email", "text"}, {"first_name", "text"},
	{"last_name", "text"}, {"created_at", "bigint"}, {"updated_at", "bigint"}}

// InsertCustomers inserts customers whose ids the caller allocated
// (AllocateIDs), in one statement.
func (q *Queries) InsertCustomers(ctx context.Context, cs []waybill.Customer) error {
	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = []any{c.ID, c.OrgID, c.Email, c.FirstName, c.LastName, toMicros(c.CreatedAt), toMicros(c.UpdatedAt)}
	}
	_, err := q.bulkInsert(ctx, "customers", customerBulk, rows, "")
	return err
}

var saleBulk = []bulkColumn{{"id", "bigint"}, {"org_id", "bigint"}, {"channel_id", "bigint"}, {"customer_id", "bigint"},
	{"external_id", "text"}, {"status", "text"}, {"doc", "text"}, {"created_at", "bigint"}, {"updated_at", "bigint"}}

// InsertNewSales inserts new sales whose ids the caller allocated, in one
// statement. When the channel already has one of them (a concurrent
// writer's), it inserts none of that one and gives ECONFLICT; the caller
// then rolls back.
func (q *Queries) InsertNewSales(ctx context.Context, ss []waybill.Sale) error {
	rows := make([][]any, len(ss))
	for i := range ss {
		s := &ss[i]
		doc, err := encodeDoc(s)
		if err != nil {
			return err
		}
		rows[i] = []any{s.ID, s.OrgID, s.ChannelID, s.CustomerID, s.ExternalID, s.Status, doc, toMicros(s.CreatedAt), toMicros(s.UpdatedAt)}
	}
	n, err := q.bulkInsert(ctx, "sales", saleBulk, rows, " ON CONFLICT (channel_id, external_id) DO NOTHING")
	if err != nil {
		return err
	}
	if n != int64(len(ss)) {
		return waybill.Errorf(waybill.ECONFLICT, "%d of %d sales already exist", int64(len(ss))-n, len(ss))
	}
	return nil
}

var saleItemBulk = []bulkColumn{{"id", "bigint"}, {"org_id", "bigint"}, {"sale_id", "bigint"}, {"external_id", "text"},
	{"dropship_provider_id", "bigint"}, {"doc", "text"}, {"created_at", "bigint"}, {"updated_at", "bigint"}}

// InsertSaleItems inserts sale items whose ids the caller allocated, in one
// statement.
func (q *Queries) InsertSaleItems(ctx context.Context, items []waybill.SaleItem) error {
	rows := make([][]any, len(items))
	for i := range items {
		it := &items[i]
		doc, err := encodeDoc(it)
		if err != nil {
			return err
		}
		rows[i] = []any{it.ID, it.OrgID, it.SaleID, it.ExternalID, it.DropshipProviderID, doc, toMicros(it.CreatedAt), toMicros(it.UpdatedAt)}
	}
	_, err := q.bulkInsert(ctx, "sale_items", saleItemBulk, rows, "")
	return err
}

var purchaseBulk = []bulkColumn{{"id", "bigint"}, {"org_id", "bigint"}, {"sale_id", "bigint"}, {"dropship_provider_id", "bigint"},
	{"reference", "text"}, {"status", "text"}, {"created_at", "bigint"}, {"updated_at", "bigint"}}

// InsertPurchases inserts purchases whose ids the caller allocated, in one
// statement.
func (q *Queries) InsertPurchases(ctx context.Context, ps []waybill.Purchase) error {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{p.ID, p.OrgID, p.SaleID, p.DropshipProviderID, p.Reference, p.Status, toMicros(p.CreatedAt), toMicros(p.UpdatedAt)}
	}
	_, err := q.bulkInsert(ctx, "purchases", purchaseBulk, rows, "")
	return err
}

var purchaseItemBulk = []bulkColumn{{"id", "bigint"}, {"org_id", "bigint"}, {"purchase_id", "bigint"}, {"sale_item_id", "bigint"},
	{"quantity", "bigint"}, {"created_at", "bigint"}}

// InsertPurchaseItems inserts purchase items whose ids the caller
// allocated, in one statement.
func (q *Queries) InsertPurchaseItems(ctx context.Context, items []waybill.PurchaseItem) error {
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{it.ID, it.OrgID, it.PurchaseID, it.SaleItemID, int64(it.Quantity), toMicros(it.CreatedAt)}
	}
	_, err := q.bulkInsert(ctx, "purchase_items", purchaseItemBulk, rows, "")
	return err
}

// FinishInboundDone marks pending messages done, each with its result, in
// one statement: FinishInbound for many. When one of them is no longer
// pending it gives ECONFLICT, and the caller rolls back.
func (q *Queries) FinishInboundDone(ctx context.Context, ids []int64, results []*waybill.InboundResult, now time.Time) error {
	if len(ids) != len(results) {
		return fmt.Errorf("finish inbound messages: %d ids, %d results", len(ids), len(results))
	}
	if len(ids) == 0 {
		return nil
	}
	if q.engine != Postgres {
		for i, id := range ids {
			if err := q.FinishInbound(ctx, id, waybill.InboundDone, nil, results[i], now); err != nil {
				return err
			}
		}
		return nil
	}
	texts := make([]string, len(results))
	for i, r := range results {
		if r != nil {
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode inbound result: %w", err)
			}
			texts[i] = string(b)
		}
	}
	res, err := q.q.ExecContext(ctx, `UPDATE inbound_messages AS m SET status = $1, errors = '', result = x.result, processed_at = $2
			FROM unnest($3::bigint[], $4::text[]) AS x(id, result) WHERE m.id = x.id AND m.status = $5`,
		waybill.InboundDone, toMicros(now), ids, texts, waybill.InboundPending)
	if err != nil {
		return fmt.Errorf("finish inbound messages: %w", err)
	}
	if n, _ := res.RowsAffected(); n != int64(len(ids)) {
		return waybill.Errorf(waybill.ECONFLICT, "%d of %d inbound messages are no longer pending", int64(len(ids))-n, len(ids))
	}
	return nil
}

// SalesByExternalIDForUpdate returns the channel's sales with those
// external ids, by external id, locked until the transaction ends (as
// SaleByExternalIDForUpdate; SQLite's writer holds them all already).
func (q *Queries) SalesByExternalIDForUpdate(ctx context.Context, orgID, channelID int64, externalIDs []string) (map[string]waybill.Sale, error) {
	out := map[string]waybill.Sale{}
	if len(externalIDs) == 0 {
		return out, nil
	}
	// On the unique (channel_id, external_id) index: one probe per id.
	// Offered org_id as well, both planners chose the (org_id, channel_id)
	// index instead (SQLite always, having no statistics; PostgreSQL while
	// its statistics lag a growing table) and read every sale of the
	// channel, so that a processor turn cost more as the channel grew.
	// SQLite's unary + and PostgreSQL's + 0 keep org_id (still required:
	// tenant scoping) out of the index choice.
	query := `SELECT ` + saleCols + ` FROM sales WHERE channel_id = $2 AND external_id IN (SELECT value FROM json_each($3)) AND +org_id = $1 ORDER BY id`
	if q.engine == Postgres {
		// Offered "external_id = ANY($3)", PostgreSQL still read every
		// sale of the channel: it kept only channel_id as the index
		// condition and filtered the ids (a hundred ids looked dearer as
		// probes than the few rows its stale statistics promised), 68 ms a
		// turn at 20,000 sales. A LATERAL subquery with LIMIT is one probe
		// per id whatever the statistics say (as knownExternalIDs). Its
		// rows are locked in the ids' order rather than the sales': two
		// turns of one channel never lock at once (TryInboundChannelLock),
		// and the synchronous API locks one sale per transaction.
		query = `SELECT s.* FROM unnest($3::text[]) AS x(ext),
			LATERAL (SELECT ` + saleCols + ` FROM sales WHERE channel_id = $2 AND external_id = x.ext AND org_id + 0 = $1 LIMIT 1 FOR UPDATE) AS s
			ORDER BY s.id`
	}
	rows, err := q.q.QueryContext(ctx, query, orgID, channelID, q.textList(externalIDs))
	if err != nil {
		return nil, fmt.Errorf("lock sales: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanSale(rows)
		if err != nil {
			return nil, err
		}
		out[s.ExternalID] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lock sales: %w", err)
	}
	return out, nil
}

// bulkUpdate sets columns of table's rows (of orgID) by id: rows are an id
// followed by a value per column of cols. On PostgreSQL it is one
// UPDATE ... FROM unnest; on SQLite one prepared single-row UPDATE per row.
func (q *Queries) bulkUpdate(ctx context.Context, table string, orgID int64, cols []bulkColumn, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	all := append([]bulkColumn{{"id", "bigint"}}, cols...)
	var sets, names, sel []string
	for i, c := range all {
		names = append(names, c.name)
		sel = append(sel, fmt.Sprintf("$%d::%s[]", i+2, c.pgType))
		if i > 0 {
			sets = append(sets, fmt.Sprintf("%s = x.%s", c.name, c.name))
		}
	}
	if q.engine == Postgres {
		query := "UPDATE " + table + " AS t SET " + strings.Join(sets, ", ") + " FROM unnest(" + strings.Join(sel, ", ") +
			") AS x(" + strings.Join(names, ", ") + ") WHERE t.org_id = $1 AND t.id = x.id"
		if _, err := q.q.ExecContext(ctx, query, append([]any{orgID}, bulkArgs(all, rows)...)...); err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
		return nil
	}
	sets = sets[:0]
	for i, c := range cols {
		sets = append(sets, fmt.Sprintf("%s = $%d", c.name, i+3))
	}
	query := "UPDATE " + table + " SET " + strings.Join(sets, ", ") + " WHERE org_id = $1 AND id = $2"
	for _, r := range rows {
		if _, err := q.q.ExecContext(ctx, query, append([]any{orgID}, r...)...); err != nil {
			return fmt.Errorf("update %s %v: %w", table, r[0], err)
		}
	}
	return nil
}

var saleUpdateBulk = []bulkColumn{{"customer_id", "bigint"}, {"status", "text"}, {"doc", "text"}, {"updated_at", "bigint"}}

// UpdateSales writes existing sales of one organization (SaveSale's
// update for many), in one statement on PostgreSQL.
func (q *Queries) UpdateSales(ctx context.Context, orgID int64, ss []waybill.Sale) error {
	rows := make([][]any, len(ss))
	for i := range ss {
		s := &ss[i]
		doc, err := encodeDoc(s)
		if err != nil {
			return err
		}
		rows[i] = []any{s.ID, s.CustomerID, s.Status, doc, toMicros(s.UpdatedAt)}
	}
	return q.bulkUpdate(ctx, "sales", orgID, saleUpdateBulk, rows)
}

var saleItemUpdateBulk = []bulkColumn{{"dropship_provider_id", "bigint"}, {"doc", "text"}, {"updated_at", "bigint"}}

// UpdateSaleItems writes existing sale items of one organization
// (SaveSaleItem's update for many), in one statement on PostgreSQL.
func (q *Queries) UpdateSaleItems(ctx context.Context, orgID int64, items []waybill.SaleItem) error {
	rows := make([][]any, len(items))
	for i := range items {
		it := &items[i]
		doc, err := encodeDoc(it)
		if err != nil {
			return err
		}
		rows[i] = []any{it.ID, it.DropshipProviderID, doc, toMicros(it.UpdatedAt)}
	}
	return q.bulkUpdate(ctx, "sale_items", orgID, saleItemUpdateBulk, rows)
}

// UpdatePurchaseItemQuantities writes the quantity of existing purchase
// items of one organization (SavePurchaseItem's update for many), in one
// statement on PostgreSQL.
func (q *Queries) UpdatePurchaseItemQuantities(ctx context.Context, orgID int64, items []waybill.PurchaseItem) error {
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{it.ID, int64(it.Quantity)}
	}
	return q.bulkUpdate(ctx, "purchase_items", orgID, []bulkColumn{{"quantity", "bigint"}}, rows)
}
