package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/waybillhq/waybill/internal/sharedlimit"
)

// sharedLimits connects the API rate limits to the Redis at url. An
// unreachable Redis does not stop serve: it is logged, and each instance
// limits on its own until Redis answers (sharedlimit's package doc).
func sharedLimits(ctx context.Context, url string, logger *slog.Logger) (*sharedlimit.Limiter, error) {
	shared, err := sharedlimit.New(url, logger.With("component", "ratelimit"))
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := shared.Ping(pingCtx); err != nil {
		logger.Warn("WAYBILL_REDIS_URL does not answer: rate limits are per instance until it does", "err", err)
	} else {
		logger.Info("rate limits shared through Redis")
	}
	return shared, nil
}
