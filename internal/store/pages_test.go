package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPageQueriesUseIndexes checks that every page read finds its rows
// through the index made for it: a page view is one indexed read, whatever
// the number of trackings stored. On SQLite the plan must name that index
// and must not walk all of an organization's trackings. On PostgreSQL, whose
// planner prefers a scan of tiny tables, sequential scans are turned off to
// check that every table is reached through an index.
func TestPageQueriesUseIndexes(t *testing.T) {
	wantIndexes := map[string][]string{
		"tracking page": {"trackings_page_token"},
		"order page":    {"trackings_page_token", "trackings_org_order "},
		"number lookup": {"trackings_org_number"},
		"order lookup":  {"trackings_org_order ", "trackings_org_order_number"},
	}
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			ctx := context.Background()
			db := st.Writer()
			for name, query := range store.PageQueriesForTest(engine) {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				explain := "EXPLAIN QUERY PLAN "
				if engine == store.Postgres {
					if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						t.Fatal(err)
					}
					explain = "EXPLAIN "
				}
				args := []any{"abcdefghijklmnopqrstuvwxyz"}
				if strings.Contains(query, "$2") {
					args = []any{int64(1), "#1001"}
				}
				rows, err := tx.QueryContext(ctx, explain+query, args...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var plan []string
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					if s, ok := vals[len(vals)-1].(string); ok {
						plan = append(plan, s)
					} else if b, ok := vals[len(vals)-1].([]byte); ok {
						plan = append(plan, string(b))
					}
				}
				rows.Close()
				_ = tx.Rollback()
				text := strings.Join(plan, "\n")
				text = strings.ReplaceAll(text, "\n", " \n") + " "
				for _, line := range plan {
					// SQLite: "SCAN t" is a full scan; "SCAN ... USING INDEX" or
					// "SEARCH" is not. PostgreSQL: "Seq Scan".
					if (strings.HasPrefix(strings.TrimSpace(line), "SCAN ") && !strings.Contains(line, "INDEX")) ||
						strings.Contains(line, "Seq Scan") {
						t.Errorf("%s reads a table in full:\n%s", name, text)
					}
				}
				if engine == store.Postgres {
					// With empty tables and no statistics PostgreSQL picks
					// among equally cheap indexes at random; with data it
					// weighs them. The check there is that no table is
					// read in full.
					continue
				}
				for _, index := range wantIndexes[name] {
					if !strings.Contains(text, index) {
						t.Errorf("%s does not use %s:\n%s", name, index, text)
					}
				}
				// These would walk all of an organization's trackings.
				for _, index := range []string{"trackings_org_created", "trackings_org_id "} {
					if strings.Contains(text+" ", index) {
						t.Errorf("%s walks the organization's trackings (%s):\n%s", name, index, text)
					}
				}
			}
		})
	}
}
