package store

import (
	"context"
	"database/sql"
)

// observedQuerier hands every query, with its arguments, to see before
// running it on q. It exists for the index test (indexes_test.go), which
// explains each query the store actually ran; a Store without an observer
// never builds one.
type observedQuerier struct {
	q   querier
	see func(query string, args []any)
}

func (o observedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	o.see(query, args)
	return o.q.ExecContext(ctx, query, args...)
}

func (o observedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	o.see(query, args)
	return o.q.QueryContext(ctx, query, args...)
}

func (o observedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	o.see(query, args)
	return o.q.QueryRowContext(ctx, query, args...)
}
