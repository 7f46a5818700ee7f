// Package sharedlimittest gives tests a sharedlimit.Limiter on the Redis
// of WAYBILL_TEST_REDIS_URL (CI sets it), skipping them when it is unset.
package sharedlimittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/sharedlimit"
)

// RedisEnv names the variable holding the test Redis's URL.
const RedisEnv = "WAYBILL_TEST_REDIS_URL"

// Open returns a new limiter on the test Redis (each call its own
// connections, as another instance would have), closed when t ends. It
// skips t when RedisEnv is unset and fails it when Redis does not answer.
func Open(t testing.TB) *sharedlimit.Limiter {
	t.Helper()
	url := os.Getenv(RedisEnv)
	if url == "" {
		t.Skipf("%s is not set; skipping the rate limits shared through Redis", RedisEnv)
	}
	l, err := sharedlimit.New(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Ping(ctx); err != nil {
		t.Fatalf("%s does not answer: %v", RedisEnv, err)
	}
	return l
}

// Key returns a key no other test run uses, so that buckets left in
// Redis by earlier runs do not count.
func Key(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
