package store_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestInboundChannelLockIsPerSchema: on PostgreSQL, instances of one schema
// take turns on a channel under its inbound lock, while a deployment in a
// schema of its own (each test has one), whose channel ids repeat, takes
// the same channel's lock meanwhile. A transaction of schema A holds
// channel 7: another of A does not get it, one of B does, and A's next
// transaction gets it once the first has ended. On SQLite the lock always
// succeeds (the single writer serializes).
func TestInboundChannelLockIsPerSchema(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			open := func(u string) *store.Store {
				st, err := store.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			a := open(testdb.URL(t, engine))
			try := func(st *store.Store, channelID int64) bool {
				t.Helper()
				var got bool
				if err := st.WithTx(ctx, func(tx *store.Tx) error {
					var err error
					got, err = tx.TryInboundChannelLock(ctx, channelID)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return got
			}
			if engine == store.SQLite {
				if !try(a, 7) {
					t.Fatal("SQLite: the inbound lock was refused")
				}
				return
			}
			b := open(testdb.URL(t, engine))

			// A transaction of schema A holds channel 7 until release.
			held, release, ended := make(chan error, 1), make(chan struct{}), make(chan struct{})
			go func() {
				defer close(ended)
				_ = a.WithTx(ctx, func(tx *store.Tx) error {
					ok, err := tx.TryInboundChannelLock(ctx, 7)
					if err == nil && !ok {
						err = context.Canceled // reported below as not taken
					}
					held <- err
					<-release
					return nil
				})
			}()
			if err := <-held; err != nil {
				close(release)
				t.Fatalf("schema A's first lock of channel 7: %v", err)
			}
			sameSchema, otherSchema, otherChannel := try(a, 7), try(b, 7), try(a, 8)
			close(release)
			<-ended
			if sameSchema {
				t.Error("a second transaction of schema A took channel 7 while the first held it")
			}
			if !otherSchema {
				t.Error("schema B waited for schema A's lock of channel 7")
			}
			if !otherChannel {
				t.Error("schema A's channel 8 waited for its channel 7")
			}
			if !try(a, 7) {
				t.Error("schema A's channel 7 was refused after the holder ended")
			}
		})
	}
}

// TestInboundChannelLockKeyInPublic: in the public schema an inbound
// channel lock's key is the one every release before took ("inb", the
// channel), so that during a rolling upgrade of a deployment in public the
// older and the newer instances take turns on a channel. Nothing is
// written to public: the lock is taken and read in one transaction.
func TestInboundChannelLockKeyInPublic(t *testing.T) {
	t.Parallel()
	testdb.URL(t, store.Postgres) // skips without PostgreSQL
	u, err := url.Parse(os.Getenv(testdb.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "public")
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const channelID = 0x7ffffff0 // no deployment's channel, so that the lock is free
	err = st.WithTx(ctx, func(tx *store.Tx) error {
		if ok, err := tx.TryInboundChannelLock(ctx, channelID); err != nil || !ok {
			t.Fatalf("lock in public: %v, %v", ok, err)
		}
		var class, objid int64
		if err := tx.SQL().QueryRowContext(ctx, `SELECT classid::int8, objid::int8 FROM pg_locks
			WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 2`).Scan(&class, &objid); err != nil {
			return err
		}
		if class != 0x696e62 || objid != channelID {
			t.Errorf("the lock's key in public is (%#x, %#x), want (0x696e62, %#x)", class, objid, channelID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
