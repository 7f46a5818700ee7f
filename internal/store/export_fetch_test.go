package store

import (
	"context"
	"database/sql"
	"strings"
)

// FetchStatements returns the limits for which a connection of db (a
// SQLite pool of the store) keeps a statement of River's fetch of its own.
func FetchStatements(ctx context.Context, db *sql.DB) ([]string, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var limits []string
	err = conn.Raw(func(dc any) error {
		for key := range dc.(*cachingConn).stmts {
			if _, limit, ok := strings.Cut(key, "\x00limit "); ok && strings.HasPrefix(key, riverFetch) {
				limits = append(limits, limit)
			}
		}
		return nil
	})
	return limits, err
}
