package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// recordedQuery is one distinct SQL text the store ran, with the arguments
// of its first run and the store call that ran it.
type recordedQuery struct {
	call  string
	query string
	args  []any
}

// queryRecorder keeps the distinct queries a store runs, in order.
type queryRecorder struct {
	mu     sync.Mutex
	call   string
	seen   map[string]bool
	byCall map[string][]recordedQuery
	all    []recordedQuery
}

func (r *queryRecorder) see(query string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rq := recordedQuery{call: r.call, query: query, args: append([]any(nil), args...)}
	r.byCall[r.call] = append(r.byCall[r.call], rq)
	if !r.seen[query] {
		r.seen[query] = true
		r.all = append(r.all, rq)
	}
}

// as names the store call whose queries follow.
func (r *queryRecorder) as(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.call = call
}

// fullScanAllowed lists the queries that read a tenant table from end to
// end on purpose, with the reason. Every entry must still be met, so that
// the list cannot outlive the query it excuses.
var fullScanAllowed = map[string]string{}

// TestEveryQueryUsesAnIndex runs each of the store's queries the way the
// code runs them (observed through store.ObserveQueries), then asks the
// engine for its plan with the same arguments: EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN (FORMAT JSON) with enable_seqscan off on PostgreSQL, so
// that a sequential scan appears only where no index can serve. It fails
// on a full scan of a tenant table (a table with an org_id column) and,
// for the filters of the v4 tracking list, when the filter's column is not
// part of the index condition.
func TestEveryQueryUsesAnIndex(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			rec := &queryRecorder{seen: map[string]bool{}, byCall: map[string][]recordedQuery{}}
			st.ObserveQueries(rec.see)
			exerciseStore(t, st, rec)
			st.ObserveQueries(nil)

			checkEveryReadExercised(t, rec)
			tenant := tenantTables(t, st)
			explainer := newExplainer(t, st)
			allowedSeen := map[string]bool{}
			for _, rq := range rec.all {
				if !explainable(rq.query) {
					continue
				}
				plan, err := explainer.explain(rq.query, rq.args)
				if err != nil {
					t.Errorf("%s: explain %s: %v", rq.call, oneLine(rq.query), err)
					continue
				}
				if testing.Verbose() {
					t.Logf("%s: %s", rq.call, plan)
				}
				scans := plan.fullScans(tenant, aliases(rq.query))
				if len(scans) == 0 {
					continue
				}
				if _, ok := fullScanAllowed[rq.call]; ok {
					allowedSeen[rq.call] = true
					continue
				}
				t.Errorf("%s scans %s end to end:\n  %s\n  plan: %s", rq.call, strings.Join(scans, ", "), oneLine(rq.query), plan)
			}
			for call := range fullScanAllowed {
				if !allowedSeen[call] {
					t.Errorf("fullScanAllowed excuses %s, which no longer scans a table: remove it", call)
				}
			}
			// As with sequential scans, PostgreSQL prices sorts out for this
			// check, so that a Sort appears only where no index gives the order.
			explainer.setPostgres(t, "enable_sort", "off")
			for _, call := range sortFreePages {
				if len(rec.byCall[call]) == 0 {
					t.Errorf("sortFreePages names %s, which exerciseStore does not run", call)
				}
				for _, rq := range rec.byCall[call] {
					if !strings.Contains(rq.query, "ORDER BY") {
						continue
					}
					plan, err := explainer.explain(rq.query, rq.args)
					if err != nil {
						t.Errorf("%s: explain: %v", call, err)
					} else if plan.sorts() {
						t.Errorf("%s sorts instead of reading an index in order:\n  %s\n  plan: %s", call, oneLine(rq.query), plan)
					}
				}
			}
			explainer.setPostgres(t, "enable_sort", "on")
			for _, c := range trackingListIndexChecks {
				if c.engines != nil && !slices.Contains(c.engines, engine) {
					continue
				}
				if len(rec.byCall[c.call]) == 0 {
					t.Errorf("trackingListIndexChecks names %s, which exerciseStore does not run", c.call)
				}
				for _, rq := range rec.byCall[c.call] {
					if !strings.Contains(rq.query, "ORDER BY") && c.index == "" {
						continue // the COUNT(*) of the list walks the same index
					}
					if rq.query == store.ListedRowsQuery {
						continue // the rows of the keys the filter's index gave: checked below
					}
					explain := explainer.explain
					if c.filled {
						explain = explainer.explainFilled
					}
					plan, err := explain(rq.query, rq.args)
					if err != nil {
						t.Errorf("%s: explain: %v", c.call, err)
						continue
					}
					if c.index != "" {
						if !plan.readsThrough("trackings", c.index) {
							t.Errorf("%s: trackings not read through %s:\n  %s\n  plan: %s", c.call, c.index, oneLine(rq.query), plan)
						}
						continue
					}
					if c.uses != "" {
						if !plan.uses("trackings", c.uses) {
							t.Errorf("%s: trackings not read through %s:\n  %s\n  plan: %s", c.call, c.uses, oneLine(rq.query), plan)
						}
						continue
					}
					if !plan.indexConditionHas("trackings", c.column) {
						t.Errorf("%s: no index condition on trackings.%s:\n  %s\n  plan: %s", c.call, c.column, oneLine(rq.query), plan)
					}
				}
			}
			checkListedRowsByKey(t, explainer, rec)
		})
	}
}

// checkListedRowsByKey checks that SQLite's lists read their page's rows
// by primary key alone (the keys their key query found, whose plans
// trackingListIndexChecks checks), and that some list did.
func checkListedRowsByKey(t *testing.T, explainer *explainer, rec *queryRecorder) {
	t.Helper()
	if explainer.engine != store.SQLite {
		return
	}
	read := false
	for call, queries := range rec.byCall {
		for _, rq := range queries {
			if rq.query != store.ListedRowsQuery {
				continue
			}
			read = true
			plan, err := explainer.explain(rq.query, rq.args)
			if err != nil {
				t.Errorf("%s: explain: %v", call, err)
			} else if !plan.readsOnlyByKey("trackings") {
				t.Errorf("%s: the page's rows are not read by primary key alone:\n  %s\n  plan: %s", call, oneLine(rq.query), plan)
			}
		}
	}
	if !read {
		t.Error("no tracking list read its rows by key: exerciseStore lists nothing, or the list reads otherwise (update this check)")
	}
}

// sortFreePages are the newest-first pages that must read an index in
// order, so that paging to the end costs a page per request rather than
// a sort of the organization's rows per request.
var sortFreePages = []string{
	"ListTrackings/all", "ListTrackings/cursor", "ListTrackings/tag", "ListTrackings/cursor and tag",
	"ListTrackings/slug", "ListTrackings/order id",
	"InboundLogs (/v1/api-logs) all", "InboundLogs (/v1/api-logs) page 2",
	"Trackers/all", "Returns/all", "ListConnections",
}

// trackingListIndexChecks names, per filter of the v4 tracking list, the
// column the chosen index must constrain (not merely filter row by row).
//
// Several tags are the exception on SQLite: with no statistics, it walks
// the organization's (org_id, id) index newest first and filters, which
// stops at the page's end when the tags are common and reads the whole
// organization when they are rare (docs/ARCHITECTURE.md, "Queries and
// their indexes"). PostgreSQL, with statistics, searches the tag index.
//
// The keyword filter (search_text LIKE '%…%') is searched by its pattern
// only on PostgreSQL, through the trigram index; SQLite tests the pattern
// on the entries of the (org_id, search_text) index, which the check names
// instead of a column.
var trackingListIndexChecks = []struct {
	call, column string
	engines      []string // nil: every engine
	index        string   // when set, the plan must read trackings through this index
	// uses, when set: some access of trackings must be through this index
	// (PostgreSQL's keyword list reads the long texts through another).
	uses string
	// filled explains with the organization filled with trackings and
	// analyzed (then rolled back): on a near-empty table PostgreSQL
	// rightly prefers walking the organization over any other index.
	filled bool
}{
	{call: "ListTrackings/keyword", engines: []string{store.Postgres}, uses: "trackings_org_search", filled: true},
	{call: "ListTrackings/keyword", engines: []string{store.SQLite}, index: "trackings_org_search"},
	{call: "ListTrackings/tag", column: "tag"},
	{call: "ListTrackings/tags", column: "tag", engines: []string{store.Postgres}},
	{call: "ListTrackings/slug", column: "slug"},
	{call: "ListTrackings/created range", column: "created_at", filled: true},
	{call: "ListTrackings/updated range", column: "updated_at", filled: true},
	{call: "ListTrackings/order id", column: "order_id"},
	{call: "ListTrackings/tracking numbers", column: "tracking_number"},
	{call: "ListTrackings/cursor", column: "id"},
	// Not a list, but its index holds only Delivered trackings (migration
	// 00031): the query must say it reads only those.
	{call: "DeliveredParcels (EDD history)", engines: []string{store.SQLite}, index: "trackings_org_slug_delivered"},
}

func explainable(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	// INSERTs are left out: their plans show only SQLite's foreign-key
	// checks for a parent row's deletion, which an insert never does.
	if strings.HasPrefix(q, "INSERT") && strings.Contains(q, "EXISTS (SELECT") {
		// An insert that reads (the inbound message that classifies
		// itself against the sales and messages before it) must read
		// through an index too.
		return true
	}
	for _, p := range []string{"SELECT", "UPDATE", "DELETE", "WITH"} {
		if strings.HasPrefix(q, p) {
			return !strings.Contains(q, "PG_TRY_ADVISORY") && !strings.Contains(q, "PG_ADVISORY")
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var tableRef = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|UPDATE|INTO)\s+([a-z_][a-z0-9_]*)(?:\s+(?:AS\s+)?([a-z_][a-z0-9_]*))?`)

// aliases maps each name a query gives a table (the table's own name and
// its alias) to the table.
func aliases(query string) map[string]string {
	out := map[string]string{}
	for _, m := range tableRef.FindAllStringSubmatch(query, -1) {
		out[strings.ToLower(m[1])] = strings.ToLower(m[1])
		if a := strings.ToLower(m[2]); a != "" && !sqlWord[strings.ToUpper(a)] {
			out[a] = strings.ToLower(m[1])
		}
	}
	return out
}

var sqlWord = map[string]bool{"WHERE": true, "SET": true, "ORDER": true, "GROUP": true, "LIMIT": true, "ON": true,
	"JOIN": true, "LEFT": true, "INNER": true, "VALUES": true, "USING": true, "AND": true, "OR": true, "UNION": true}

// tenantTables returns the tables that have an org_id column.
func tenantTables(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	q := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'org_id'`
	if st.Engine() == store.Postgres {
		q = `SELECT table_name FROM information_schema.columns WHERE column_name = 'org_id' AND table_schema = current_schema()`
	}
	rows, err := st.Writer().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out[name] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !out["trackings"] || !out["events"] {
		t.Fatalf("tenant tables %v lack trackings or events", out)
	}
	return out
}

// explainer asks the engine for query plans on one connection.
type explainer struct {
	engine string
	conn   *sql.Conn
}

func newExplainer(t *testing.T, st *store.Store) *explainer {
	t.Helper()
	ctx := context.Background()
	conn, err := st.Writer().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if st.Engine() == store.Postgres {
		// Near-empty tables make a sequential scan the cheapest plan;
		// with it priced out, one appears only where no index serves.
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = conn.ExecContext(context.Background(), "RESET ALL") })
	}
	return &explainer{engine: st.Engine(), conn: conn}
}

// setPostgres sets a planner setting of the explaining session on
// PostgreSQL; SQLite has none.
func (e *explainer) setPostgres(t *testing.T, name, value string) {
	t.Helper()
	if e.engine != store.Postgres {
		return
	}
	if _, err := e.conn.ExecContext(context.Background(), "SET "+name+" = "+value); err != nil {
		t.Fatal(err)
	}
}

// explainFilled explains a tracking list query (whose first argument is
// the organization) with 5,000 more trackings in the organization and the
// statistics of that table, inside a transaction it rolls back. The
// trackings were created and updated over the 180 days up to the query's
// latest time argument, as in a seeded database, so that a date range
// holds a few percent of them: SQLite's statistics of samples (stat4)
// price a range by the rows it holds. Their search text holds the
// keyword the exercise lists by ("shoes"), as a keyword that many
// trackings share (a common word, the domain of every customer's email)
// does: the trigram index's worst case, whose posting lists span every
// organization.
func (e *explainer) explainFilled(query string, args []any) (queryPlan, error) {
	ctx := context.Background()
	if _, err := e.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	defer e.conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck // nothing to keep
	var end int64 = 5000
	for _, a := range args[1:] {
		if v, ok := a.(int64); ok && v > end {
			end = v
		}
	}
	step := (180 * 24 * time.Hour).Microseconds() / 5000
	if _, err := e.conn.ExecContext(ctx, `WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000)
		INSERT INTO trackings (public_id, org_id, slug, tracking_number, tag, active,
		search_text, created_at, updated_at, doc)
		SELECT 'fill-' || n, $1, 'ups', 'FILL' || n, 'InTransit', TRUE, 'fill' || n || ' running shoes customer' || n || '@example.com',
			CAST($2 AS BIGINT) - n * CAST($3 AS BIGINT), CAST($2 AS BIGINT) - n * CAST($3 AS BIGINT), '{}'
		FROM g`, args[0], end, step); err != nil {
		return nil, fmt.Errorf("fill the organization: %w", err)
	}
	if _, err := e.conn.ExecContext(ctx, "ANALYZE trackings"); err != nil {
		return nil, err
	}
	return e.explain(query, args)
}

// planStep is one access of a plan: the table (or alias) it reads, whether
// it reads it whole, and the index condition it searches with.
type planStep struct {
	sort      bool // a sort of the rows found, rather than reading them in order
	table     string
	index     string
	full      bool
	condition string
	detail    string
}

type queryPlan []planStep

func (p queryPlan) String() string {
	var parts []string
	for _, s := range p {
		parts = append(parts, s.detail)
	}
	return strings.Join(parts, " | ")
}

// fullScans names the tenant tables the plan reads end to end.
func (p queryPlan) fullScans(tenant map[string]bool, names map[string]string) []string {
	var out []string
	for _, s := range p {
		table := s.table
		if real, ok := names[table]; ok {
			table = real
		}
		if s.full && tenant[table] {
			out = append(out, table)
		}
	}
	return out
}

// sorts reports whether the plan sorts rows instead of reading an index
// in the order asked for.
func (p queryPlan) sorts() bool {
	return slices.ContainsFunc(p, func(s planStep) bool { return s.sort })
}

// indexConditionHas reports whether some access of table searches an
// index on column.
func (p queryPlan) indexConditionHas(table, column string) bool {
	col := regexp.MustCompile(`\b` + column + `\b`)
	for _, s := range p {
		if s.table == table && !s.full && col.MatchString(s.condition) {
			return true
		}
	}
	return false
}

// uses reports whether some access of table searches index (alone, or
// among the bitmaps of a PostgreSQL bitmap heap scan).
func (p queryPlan) uses(table, index string) bool {
	return slices.ContainsFunc(p, func(s planStep) bool {
		return s.table == table && !s.full && (s.index == index || strings.Contains(s.condition, index+": "))
	})
}

// readsThrough reports whether every access of table searches index, apart
// from look-ups by primary key (the rows of the keys the index gave).
func (p queryPlan) readsThrough(table, index string) bool {
	found := false
	for _, s := range p {
		if s.table != table {
			continue
		}
		if !s.full && (s.index == "rowid" || s.index == table+"_pkey") {
			continue // the rows of the keys the index gave (a list's page)
		}
		if s.full || s.index != index {
			return false
		}
		found = true
	}
	return found
}

// readsOnlyByKey reports whether the plan reads table, and only by its
// primary key.
func (p queryPlan) readsOnlyByKey(table string) bool {
	found := false
	for _, s := range p {
		if s.table != table {
			continue
		}
		if s.full || (s.index != "rowid" && s.index != table+"_pkey") {
			return false
		}
		found = true
	}
	return found
}

var sqliteStep = regexp.MustCompile(`^(SCAN|SEARCH) (\S+)(?: USING (?:COVERING |INTEGER PRIMARY KEY|PRIMARY KEY)?(?:INDEX (\S+))?)?(?: \((.*)\))?`)

func (e *explainer) explain(query string, args []any) (queryPlan, error) {
	ctx := context.Background()
	if e.engine == store.SQLite {
		rows, err := e.conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var plan queryPlan
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return nil, err
			}
			step := planStep{detail: detail, sort: strings.HasPrefix(detail, "USE TEMP B-TREE FOR ORDER BY")}
			if m := sqliteStep.FindStringSubmatch(detail); m != nil {
				step.table, step.index, step.condition = m[2], m[3], m[4]
				step.full = m[1] == "SCAN"
				if strings.Contains(detail, "INTEGER PRIMARY KEY") {
					step.index = "rowid"
				}
			}
			plan = append(plan, step)
		}
		return plan, rows.Err()
	}
	var doc string
	if err := e.conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&doc); err != nil {
		return nil, err
	}
	var top []struct {
		Plan pgNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	var plan queryPlan
	for _, p := range top {
		p.Plan.walk(&plan)
	}
	return plan, nil
}

// pgNode is the part of a PostgreSQL JSON plan node the test reads.
type pgNode struct {
	NodeType     string   `json:"Node Type"`
	RelationName string   `json:"Relation Name"`
	Alias        string   `json:"Alias"`
	IndexName    string   `json:"Index Name"`
	IndexCond    string   `json:"Index Cond"`
	Filter       string   `json:"Filter"`
	Plans        []pgNode `json:"Plans"`
}

// walk appends the node's table accesses to plan. A bitmap heap scan takes
// its condition from the bitmap index scans beneath it.
func (n pgNode) walk(plan *queryPlan) {
	switch n.NodeType {
	case "Sort", "Incremental Sort":
		*plan = append(*plan, planStep{sort: true, detail: n.NodeType})
	case "Seq Scan":
		*plan = append(*plan, planStep{table: n.RelationName, full: true,
			detail: fmt.Sprintf("Seq Scan on %s (filter %s)", n.RelationName, n.Filter)})
	case "Index Scan", "Index Only Scan":
		*plan = append(*plan, planStep{table: n.RelationName, index: n.IndexName, full: n.IndexCond == "",
			condition: n.IndexCond, detail: fmt.Sprintf("%s using %s on %s (%s; filter %s)", n.NodeType, n.IndexName, n.RelationName, n.IndexCond, n.Filter)})
	case "Bitmap Heap Scan":
		var conds []string
		var bitmaps func(m pgNode)
		bitmaps = func(m pgNode) {
			if m.IndexCond != "" {
				conds = append(conds, m.IndexName+": "+m.IndexCond)
			}
			for _, c := range m.Plans {
				bitmaps(c)
			}
		}
		for _, c := range n.Plans {
			bitmaps(c)
		}
		cond := strings.Join(conds, " OR ")
		*plan = append(*plan, planStep{table: n.RelationName, full: cond == "", condition: cond,
			detail: fmt.Sprintf("Bitmap Heap Scan on %s (%s; filter %s)", n.RelationName, cond, n.Filter)})
		return
	}
	for _, c := range n.Plans {
		c.walk(plan)
	}
}

// writesByKeyOnly are the prefixes of the Queries methods that only insert
// (or upsert by a unique key) and so need no plan check. Claim* methods
// update as well, so they are exercised.
var writesByKeyOnly = []string{"Insert", "Save", "Put", "Add", "Create", "Ensure", "Mark", "Activate"}

// checkEveryReadExercised fails when a method of store.Queries that reads,
// updates or deletes is missing from exerciseStore, so that a query added
// later (a new table's list) cannot go unchecked. InsertInbound is the
// exception to writesByKeyOnly: its duplicate check reads.
func checkEveryReadExercised(t *testing.T, rec *queryRecorder) {
	t.Helper()
	called := map[string]bool{}
	for call := range rec.byCall {
		name, _, _ := strings.Cut(call, "/")
		name, _, _ = strings.Cut(name, " ")
		called[name] = true
	}
	typ := reflect.TypeOf(&store.Queries{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if called[name] || name == "ReadIn" {
			continue
		}
		if name != "InsertInbound" && slices.ContainsFunc(writesByKeyOnly, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		t.Errorf("Queries.%s is not exercised by exerciseStore: add it, so that its plan is checked", name)
	}
}
