// Package testdb gives tests a real, migrated database: a SQLite file in a
// temporary directory, and a PostgreSQL schema of its own when
// WAYBILL_TEST_POSTGRES_URL is set. Tests run the same code against each.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// PostgresEnv names the variable that points tests at a PostgreSQL server.
const PostgresEnv = "WAYBILL_TEST_POSTGRES_URL"

// Engines returns the engines to test: SQLite always, PostgreSQL when
// WAYBILL_TEST_POSTGRES_URL is set.
func Engines() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// URL returns a WAYBILL_DATABASE_URL for a fresh, empty database of the
// engine: a new SQLite file, or a new PostgreSQL schema. The schema is
// dropped when the test ends.
func URL(t testing.TB, engine string) string {
	t.Helper()
	if engine == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "waybill.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set; skipping PostgreSQL", PostgresEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "wbtest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated store (with the queue's tables) on a fresh
// database of the engine, closed when the test ends. A SQLite database
// starts as a copy of one migrated once per test process (see
// sqliteTemplate); Migrate then finds it up to date, as it finds any
// migrated database.
func Open(t testing.TB, engine string) *store.Store {
	t.Helper()
	u := URL(t, engine)
	if engine == store.SQLite {
		if err := copySQLiteTemplate(strings.TrimPrefix(u, "sqlite:")); err != nil {
			t.Fatalf("copy the migrated SQLite template: %v", err)
		}
	}
	return OpenURL(t, u)
}

// OpenURL returns a migrated store (with the queue's tables) on the
// database at url (from URL), closed when the test ends: a second store on
// one database is a second instance sharing it.
func OpenURL(t testing.TB, url string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine())); err != nil {
		t.Fatalf("migrate %s: %v", url, err)
	}
	return st
}
