package main

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestServeWarmsDatabaseBeforeReady checks that `waybill serve` on
// PostgreSQL opens and warms all 48 connections of its pools (32 for
// requests, 16 for workers) before it serves, so before /readyz answers,
// and that a warm-up cut short by WAYBILL_DATABASE_WARMUP is logged and
// does not keep the server from starting. Not parallel: it holds 48
// connections of the test server.
func TestServeWarmsDatabaseBeforeReady(t *testing.T) {
	dbURL := testdb.URL(t, store.Postgres)

	p := startServe(t, dbURL, "WAYBILL_DATABASE_WARMUP=60s")
	stop(t, p)
	logs := p.stderr.String()
	warmed, serving := strings.Index(logs, `msg="database connections warmed"`), strings.Index(logs, `msg="waybill serving"`)
	if warmed < 0 || !strings.Contains(logs, "connections=48 of=48") {
		t.Fatalf("no complete warm-up of 48 connections logged:\n%s", logs)
	}
	if serving < warmed || !strings.Contains(logs[serving:], "start_ms=") {
		t.Fatalf("want the warm-up logged before the server serves, and its start time:\n%s", logs)
	}

	p = startServe(t, dbURL, "WAYBILL_DATABASE_WARMUP=1ns")
	stop(t, p)
	if logs := p.stderr.String(); !strings.Contains(logs, "database warm-up incomplete, serving anyway") {
		t.Fatalf("a warm-up cut short: no warning logged:\n%s", logs)
	}
}
