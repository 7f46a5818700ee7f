package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestWarmWritesAPushOnEveryRequestConnectionAndKeepsNothing checks that
// Warm executes a push's inserts on each request connection (PostgreSQL
// counts the rows inserted, committed or not) and that none of them is
// left behind: the transaction is rolled back.
func TestWarmWritesAPushOnEveryRequestConnectionAndKeepsNothing(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	tables := []string{"organizations", "webhook_endpoints", "trackings", "poll_schedule", "events", "deliveries"}
	rows := func() map[string]int64 {
		n := map[string]int64{}
		for _, table := range tables {
			var c int64
			if err := st.Writer().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&c); err != nil {
				t.Fatal(err)
			}
			n[table] = c
		}
		return n
	}
	inserted := func() map[string]int64 {
		n := map[string]int64{}
		for _, table := range tables {
			var c int64
			if err := st.Writer().QueryRowContext(ctx, `SELECT n_tup_ins FROM pg_stat_user_tables
				WHERE schemaname = current_schema() AND relname = $1`, table).Scan(&c); err != nil {
				t.Fatal(err)
			}
			n[table] = c
		}
		return n
	}
	const requestConns = 3
	st.LimitPools(requestConns, 1)
	before, insertedBefore := rows(), inserted()

	if r := st.Warm(ctx); !r.Complete() {
		t.Fatalf("Warm = %+v, want complete", r)
	}

	if after := rows(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rows after Warm = %v, want %v as before: the warm-up's writes must be rolled back", after, before)
	}
	// A backend reports its counts when it exits (or after ten seconds
	// idle): close the pool's idle connections, then wait for them.
	st.Writer().SetMaxIdleConns(0)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := st.Writer().ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		got, short := inserted(), ""
		for _, table := range tables {
			if d := got[table] - insertedBefore[table]; d < requestConns {
				short += fmt.Sprintf(" %s +%d", table, d)
			}
		}
		if short == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rows inserted by Warm, fewer than one per request connection (%d):%s", requestConns, short)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
