package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/waybillhq/waybill/internal/store"
)

// warmDatabase has the store open and warm its PostgreSQL connections
// (store.Warm) for at most limit, and logs what it did in one line. serve
// calls it before it starts its workers and listens, so that /readyz
// answers only once the first requests will find warm connections. It
// never fails: a database slow to accept connections costs at most limit
// at start, and what was not warmed is opened on first use as without
// it. limit 0 skips it; on SQLite there is nothing to warm.
func warmDatabase(ctx context.Context, st *store.Store, limit time.Duration, logger *slog.Logger) {
	if limit <= 0 || st.Engine() != store.Postgres {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	r := st.Warm(ctx)
	attrs := []any{"connections", r.Planned, "of", r.Wanted, "opened", r.Opened,
		"took_ms", r.Took.Milliseconds()}
	if r.Complete() {
		logger.Info("database connections warmed", attrs...)
		return
	}
	logger.Warn("database warm-up incomplete, serving anyway: the connections left open on first use",
		append(attrs, "limit", limit.String(), "err", r.Err)...)
}
