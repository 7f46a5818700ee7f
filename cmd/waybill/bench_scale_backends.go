package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// backendCPU reads the CPU time of the PostgreSQL backends that serve the
// connections named app (their application_name): the server's share of
// a call's work that its own process's CPU leaves out. The backends must
// run on this machine (their /proc entries are read).
type backendCPU struct {
	db  *sql.DB
	app string
}

// snapshot is each backend's CPU time so far, by process id.
func (b backendCPU) snapshot(ctx context.Context) (map[int]time.Duration, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, b.app)
	if err != nil {
		return nil, fmt.Errorf("bench scale: backends of %s: %w", b.app, err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, fmt.Errorf("bench scale: backends of %s: %w", b.app, err)
		}
		out[pid] = procCPU(pid)
	}
	return out, rows.Err()
}

// backendCPUSince is the CPU the backends of after used since before: a
// backend that started in between counts from its start. One that ended
// in between is not counted (the pools keep their connections, so few do).
func backendCPUSince(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, cpu := range after {
		d += cpu - before[pid]
	}
	return d
}
