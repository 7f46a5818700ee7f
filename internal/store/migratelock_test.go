package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestMigrateLockIsPerSchema: on PostgreSQL, instances migrating one schema
// take turns under the migration lock, while a schema of its own (each test
// has one) migrates without waiting for it. The test holds schema A's lock
// as a starting instance would: a migration of schema B completes, one of
// A waits for the lock and completes once it is released.
func TestMigrateLockIsPerSchema(t *testing.T) {
	t.Parallel()
	urlA, urlB := testdb.URL(t, store.Postgres), testdb.URL(t, store.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	holder, err := sql.Open("pgx", urlA)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The key Store.Migrate takes: class "wayb", then the schema's hash.
	var key int32
	if err := conn.QueryRowContext(ctx, "SELECT hashtext(current_schema())").Scan(&key); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", 0x77617962, key); err != nil {
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, $2)", 0x77617962, key)
		}
	}()

	migrate := func(url string) error {
		st, err := store.Open(ctx, url)
		if err != nil {
			return err
		}
		defer st.Close()
		return st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine()))
	}
	if err := migrate(urlB); err != nil {
		t.Fatalf("schema B waited for schema A's migration lock (or failed): %v", err)
	}

	doneA := make(chan error, 1)
	go func() { doneA <- migrate(urlA) }()
	// Schema A's migration waits on the lock held above.
	for waiting := false; !waiting; {
		select {
		case err := <-doneA:
			t.Fatalf("schema A migrated while its lock was held (err %v)", err)
		default:
		}
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
			AND NOT granted AND classid = $1 AND objid = $2::int4::oid AND objsubid = 2)`, 0x77617962, key).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, $2)", 0x77617962, key); err != nil {
		t.Fatal(err)
	}
	held = false
	if err := <-doneA; err != nil {
		t.Fatalf("schema A after the lock was released: %v", err)
	}
}
