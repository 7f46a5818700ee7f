package store

import (
	"context"
	"database/sql/driver"
	"io"
	"path/filepath"
	"slices"
	"testing"
)

// TestCachedStatementPerNumbers checks how the SQLite statement cache
// chooses among a query's statements (cachingConn): a call runs on the
// statement last run with the same numbers, each query keeps at most
// queryVariantsMax statements, a busy statement is never handed out, and
// every call reads what its own arguments ask for.
func TestCachedStatementPerNumbers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dc, err := cachingDriver{}.Open("file:" + filepath.Join(t.TempDir(), "variants.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := dc.(*cachingConn)
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.ExecContext(ctx, `CREATE TABLE v (n INTEGER NOT NULL); INSERT INTO v (n) VALUES (1), (2), (3), (4), (5), (6)`, nil); err != nil {
		t.Fatal(err)
	}
	// The shape of River's fetch: SQLite plans it with the LIMIT bound.
	const q = `SELECT n FROM v WHERE n IN (SELECT n FROM v ORDER BY n LIMIT ?) ORDER BY n`
	limit := func(n int64) []driver.NamedValue { return []driver.NamedValue{{Ordinal: 1, Value: n}} }
	read := func(n int64) []int64 {
		t.Helper()
		rows, err := c.QueryContext(ctx, q, limit(n))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []int64
		dest := make([]driver.Value, 1)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return got
			} else if err != nil {
				t.Fatal(err)
			}
			got = append(got, dest[0].(int64))
		}
	}
	for _, n := range []int64{2, 4, 2, 4, 1} {
		if got, want := read(n), []int64{1, 2, 3, 4, 5, 6}[:n]; !slices.Equal(got, want) {
			t.Fatalf("LIMIT %d read %v, want %v", n, got, want)
		}
	}
	if got := len(c.stmts[q]); got != 3 {
		t.Fatalf("%d statements for limits 2, 4 and 1, want 3", got)
	}
	two := c.cached(ctx, q, limit(2))
	if !two.sameNumbers(limit(2)) || c.cached(ctx, q, limit(2)) != two {
		t.Fatal("the statement last run with LIMIT 2 is not the one chosen for LIMIT 2")
	}

	for n := int64(1); n <= 6; n++ {
		if got, want := read(n), []int64{1, 2, 3, 4, 5, 6}[:n]; !slices.Equal(got, want) {
			t.Fatalf("LIMIT %d read %v, want %v", n, got, want)
		}
	}
	if got := len(c.stmts[q]); got != queryVariantsMax {
		t.Fatalf("%d statements after six limits, want %d", got, queryVariantsMax)
	}
	if c.held != 2 || c.extra != queryVariantsMax-1 { // the script's and the query's first; the query's others
		t.Fatalf("connection holds %d first statements and %d others, want 2 and %d", c.held, c.extra, queryVariantsMax-1)
	}

	// Open rows hold their statement: the same call again gets another.
	rows, err := c.QueryContext(ctx, q, limit(3))
	if err != nil {
		t.Fatal(err)
	}
	held := rows.(*cachedRows).st
	if st := c.cached(ctx, q, limit(3)); st == held {
		t.Fatal("a statement with open rows was handed out again")
	}
	if got := read(3); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("LIMIT 3 beside open rows read %v", got)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
}
