package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// seedIndex is a secondary index Seed drops before it writes and builds
// again afterwards: building an index once over a million rows (a sort)
// is many times faster than keeping it up to date row by row, above all
// for PostgreSQL's trigram index and for the random keys (public ids,
// page tokens) of both engines.
type seedIndex struct{ name, create string }

// dropSeedIndexes drops the secondary indexes of tables and returns how to
// build them again. Indexes that back a constraint (primary keys, UNIQUE
// and exclusion constraints; SQLite's automatic indexes) stay: the seed's
// rows are checked against them as they go in.
func dropSeedIndexes(ctx context.Context, db *sql.DB, engine string, tables []*bulkTable) ([]seedIndex, error) {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = "'" + t.name + "'"
	}
	in := strings.Join(names, ", ")
	var q string
	if engine == Postgres {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN (` + in + `)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
			ORDER BY i.relname`
	} else {
		q = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
			AND tbl_name IN (` + in + `) ORDER BY name`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("seed: list indexes: %w", err)
	}
	var idx []seedIndex
	for rows.Next() {
		var ix seedIndex
		if err := rows.Scan(&ix.name, &ix.create); err != nil {
			rows.Close()
			return nil, fmt.Errorf("seed: list indexes: %w", err)
		}
		idx = append(idx, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("seed: list indexes: %w", err)
	}
	for i, ix := range idx {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+ix.name); err != nil {
			// Build again the ones already dropped before giving up.
			return nil, fmt.Errorf("seed: drop index %s: %w (restore: %v)", ix.name, err,
				createSeedIndexes(context.WithoutCancel(ctx), db, engine, idx[:i]))
		}
	}
	return idx, nil
}

// createSeedIndexes builds the indexes dropSeedIndexes dropped, on one
// connection given more memory to sort with on PostgreSQL.
func createSeedIndexes(ctx context.Context, db *sql.DB, engine string, idx []seedIndex) error {
	if len(idx) == 0 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: connect: %w", err)
	}
	defer conn.Close()
	if engine == Postgres {
		if _, err := conn.ExecContext(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
			return fmt.Errorf("seed: maintenance_work_mem: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "RESET maintenance_work_mem") //nolint:errcheck // the pool's default again
	}
	for _, ix := range idx {
		if _, err := conn.ExecContext(ctx, ix.create); err != nil {
			return fmt.Errorf("seed: build index %s: %w", ix.name, err)
		}
	}
	return nil
}
