package store_test

import (
	"context"
	"slices"
	"testing"

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
