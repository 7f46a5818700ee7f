package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPreparedStatementReuse checks what the SQLite connections' statement
// cache (sqlitedriver.go) must keep true: the same
// query asked again while its first rows are still open gets rows of its
// own, a script runs every statement, a refused query keeps its error,
// and a statement prepared before a schema change sees the new schema.
func TestPreparedStatementReuse(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	ctx := context.Background()
	db := st.Writer()
	if _, err := db.ExecContext(ctx, `CREATE TABLE reuse (n INTEGER NOT NULL); INSERT INTO reuse (n) VALUES (1); INSERT INTO reuse (n) VALUES (2); INSERT INTO reuse (n) VALUES (3)`); err != nil {
		t.Fatalf("script: %v", err)
	}
	const q = `SELECT n FROM reuse WHERE n >= $1 ORDER BY n`
	read := func(rows interface {
		Next() bool
		Scan(...any) error
	}) []int {
		var got []int
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		return got
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]int
	for outer.Next() {
		var n int
		if err := outer.Scan(&n); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, q, n) // the same query, its first rows open
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]int{n}, read(inner)...))
		inner.Close()
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if want := [][]int{{1, 1, 2, 3}, {2, 2, 3}, {3, 3}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("nested runs of one query = %v; want %v", got, want)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	for range 2 { // prepared (or refused) once, asked twice
		if _, err := db.ExecContext(ctx, `INSERT INTO no_such_table (n) VALUES ($1)`, 1); err == nil {
			t.Error("an insert into a missing table succeeded")
		}
		rows, err := db.QueryContext(ctx, q, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(rows); !slices.Equal(got, []int{2, 3}) {
			t.Errorf("query run again = %v; want [2 3]", got)
		}
		rows.Close()
	}

	const all = `SELECT * FROM reuse ORDER BY n`
	cols := func() int {
		rows, err := db.QueryContext(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(c)
	}
	if n := cols(); n != 1 {
		t.Fatalf("columns before ALTER = %d", n)
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE reuse ADD COLUMN m INTEGER`); err != nil {
		t.Fatal(err)
	}
	if n := cols(); n != 2 {
		t.Errorf("columns after ALTER = %d; want 2 (a statement prepared before must see the new schema)", n)
	}
}

// TestRiverFetchStatementPerLimit checks the SQLite connections' statement
// for River's fetch of available jobs: each limit the queues bind gets a
// statement of its own (SQLite would otherwise parse and plan the fetch
// again whenever the limit changes, at every idle poll), no more than 8
// per connection, and every fetch claims as many jobs as its limit allows,
// whichever statement runs it. It also holds the store to River's SQL: if
// River's fetch no longer starts as the driver expects, no statement of
// its own is kept and the test fails.
func TestRiverFetchStatementPerLimit(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	ctx := context.Background()
	db := st.Writer()
	if err := queue.Migrate(db, store.SQLite)(ctx); err != nil {
		t.Fatal(err)
	}
	const jobs = 200
	for range jobs {
		if _, err := db.ExecContext(ctx, `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
			VALUES ('{}', 'test', 25, 1, 'q', 'available', datetime('now', '-1 minute'))`); err != nil {
			t.Fatal(err)
		}
	}
	exec := riversqlite.New(db).GetExecutor()
	claimed := 0
	for i, limit := range []int{4, 10, 4, 20, 10, 1, 2, 3, 5, 6, 7, 8, 9, 4, 10} {
		got, err := exec.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{ClientID: "c", MaxAttemptedBy: 100, MaxToLock: limit, Queue: "q"})
		if err != nil {
			t.Fatalf("fetch %d (limit %d): %v", i, limit, err)
		}
		if len(got.Jobs) != limit {
			t.Fatalf("fetch %d with limit %d claimed %d jobs", i, limit, len(got.Jobs))
		}
		claimed += len(got.Jobs)
	}
	var running int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if running != claimed {
		t.Errorf("%d jobs running after %d claimed", running, claimed)
	}
	limits, err := store.FetchStatements(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(limits)
	// The first eight limits met, in order: 4, 10, 20, 1, 2, 3, 5, 6.
	if want := []string{"1", "10", "2", "20", "3", "4", "5", "6"}; !slices.Equal(limits, want) {
		t.Errorf("fetch statements kept for limits %v, want %v", limits, want)
	}
}
