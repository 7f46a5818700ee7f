package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestGroupCommit runs concurrent writers through one committer on each
// engine, with a first function that holds the committer until all the
// others have queued, so that they share one transaction whatever the
// machine's speed. In that transaction some callers fail: a duplicate
// (the unique key), a caller whose statement the database refuses (which
// on PostgreSQL aborts the transaction until its savepoint is rolled
// back), a caller that wrote and then returned an error, a caller that
// panicked. Each gets its own outcome, and every other write commits.
func TestGroupCommit(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := withDeadline(t)
			org := mustOrg(t, st, "acme")
			g := store.NewGroupCommitter(st)
			g.MaxWait = 0
			runCtx, stop := context.WithCancel(ctx)
			ran := make(chan struct{})
			go func() { g.Run(runCtx); close(ran) }()
			t.Cleanup(func() { stop(); <-ran })
			waitRunning(t, g)

			insert := func(number string) func(ctx context.Context, tx *store.Tx) error {
				return func(ctx context.Context, tx *store.Tx) error {
					return tx.InsertTracking(ctx, newTracking(org.ID, "ups", number))
				}
			}
			release, started := make(chan struct{}), make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					close(started)
					<-release
					return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "FIRST"))
				})
			}()
			<-started // the first is running, holding the committer

			const writers = 40
			type outcome struct {
				err error
				pan any
			}
			outcomes := make([]outcome, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					defer func() { outcomes[i].pan = recover() }()
					var fn func(ctx context.Context, tx *store.Tx) error
					switch i {
					case 1: // the same number as writer 0
						fn = insert("GC0")
					case 2: // a statement the database refuses
						fn = func(ctx context.Context, tx *store.Tx) error {
							_, err := tx.SQL().ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
							return err
						}
					case 3: // wrote, then failed: its write must not stay
						fn = func(ctx context.Context, tx *store.Tx) error {
							if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "GC3")); err != nil {
								return err
							}
							return waybill.Errorf(waybill.EINVALID, "changed my mind")
						}
					case 4:
						fn = func(ctx context.Context, tx *store.Tx) error {
							if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", "GC4")); err != nil {
								return err
							}
							panic("writer 4 panics")
						}
					default:
						fn = insert(fmt.Sprintf("GC%d", i))
					}
					outcomes[i].err = g.InTx(ctx, fn)
				})
				if i == 0 {
					waitQueued(t, g, 1) // writer 0 queues before its duplicate
				}
			}
			waitQueued(t, g, writers)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("first: %v", err)
			}

			stored := map[string]bool{}
			for i := range writers + 1 {
				_, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", fmt.Sprintf("GC%d", i))
				stored[fmt.Sprintf("GC%d", i)] = err == nil
			}
			for i, o := range outcomes {
				number := fmt.Sprintf("GC%d", i)
				switch i {
				case 1:
					if waybill.ErrorReason(o.err) != waybill.ReasonTrackingExists || o.pan != nil {
						t.Errorf("duplicate writer: %v, %v; want the tracking-exists conflict", o.err, o.pan)
					}
				case 2:
					if o.err == nil || waybill.ErrorCode(o.err) != waybill.EINTERNAL || o.pan != nil {
						t.Errorf("refused statement: %v, %v; want its error", o.err, o.pan)
					}
				case 3:
					if waybill.ErrorCode(o.err) != waybill.EINVALID || stored[number] {
						t.Errorf("writer that failed after writing: %v, stored %v; want its error and no write", o.err, stored[number])
					}
				case 4:
					if o.pan != "writer 4 panics" || stored[number] {
						t.Errorf("panicking writer: recovered %v, stored %v; want its panic in its own goroutine and no write", o.pan, stored[number])
					}
				default:
					if o.err != nil || o.pan != nil || !stored[number] {
						t.Errorf("writer %d: %v, %v, stored %v; want committed", i, o.err, o.pan, stored[number])
					}
				}
			}
			// The first function's batch, then every other writer's in one.
			if batches, items := g.Stats(); batches != 2 || items != writers+1-4 {
				t.Errorf("Stats = %d batches, %d items; want 2 batches of %d committed functions", batches, items, writers+1-4)
			}
		})
	}
}

// TestGroupCommitCallerGone checks that a function whose caller's context
// ended while it waited in the queue does not write.
func TestGroupCommitCallerGone(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := withDeadline(t)
			org := mustOrg(t, st, "acme")
			g := store.NewGroupCommitter(st)
			runCtx, stop := context.WithCancel(ctx)
			ran := make(chan struct{})
			go func() { g.Run(runCtx); close(ran) }()
			t.Cleanup(func() { stop(); <-ran })
			waitRunning(t, g)

			release, started := make(chan struct{}), make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { close(started); <-release; return nil })
			}()
			<-started
			gone, leave := context.WithCancel(ctx)
			errc := make(chan error, 1)
			go func() {
				errc <- g.InTx(gone, func(ctx context.Context, tx *store.Tx) error {
					return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "GONE"))
				})
			}()
			waitQueued(t, g, 1)
			leave()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("InTx after its caller left = %v; want context.Canceled", err)
			}
			close(release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			// A later write goes through the same committer once the gone
			// one has been passed over.
			if err := g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "AFTER"))
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "GONE"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("the write of a caller that left: %v; want ENOTFOUND", err)
			}
		})
	}
}

// TestGroupCommitJoinsAndStops checks the two ways around the queue: a
// context that carries a transaction joins it, and a committer that is
// not running gives each caller a transaction of its own.
func TestGroupCommitJoinsAndStops(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := withDeadline(t)
			org := mustOrg(t, st, "acme")
			g := store.NewGroupCommitter(st)
			if err := g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "NOTRUNNING"))
			}); err != nil {
				t.Fatalf("InTx before Run: %v", err)
			}
			errOuter := errors.New("outer gives up")
			err := st.InTx(ctx, func(ctx context.Context, outer *store.Tx) error {
				if err := g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					if tx != outer {
						t.Error("InTx inside a transaction did not join it")
					}
					return tx.InsertTracking(ctx, newTracking(org.ID, "ups", "JOINED"))
				}); err != nil {
					return err
				}
				return errOuter
			})
			if !errors.Is(err, errOuter) {
				t.Fatalf("outer InTx = %v", err)
			}
			if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "JOINED"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("a joined write outlived its owner's rollback: %v", err)
			}
			if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "NOTRUNNING"); err != nil {
				t.Errorf("write before Run: %v", err)
			}
			if batches, _ := g.Stats(); batches != 0 {
				t.Errorf("Stats = %d batches; want none (nothing went through the queue)", batches)
			}
		})
	}
}

// waitRunning waits until g's Run has started: a write through it then
// counts in Stats.
func waitRunning(t *testing.T, g *store.GroupCommitter) {
	t.Helper()
	for !g.Running() {
		select {
		case <-t.Context().Done():
			t.Fatal("committer never started")
		case <-time.After(time.Millisecond):
		}
	}
}

// waitQueued waits until n functions wait in g's queue.
func waitQueued(t *testing.T, g *store.GroupCommitter, n int) {
	t.Helper()
	for g.Queued() != n {
		select {
		case <-t.Context().Done():
			t.Fatalf("the queue never held %d functions (now %d)", n, g.Queued())
		case <-time.After(time.Millisecond):
		}
	}
}

// TestBatchedWrite checks that the items BatchedWrite.Add queues in a
// shared transaction are written in one Write at its end, without those of
// a function that failed, and that a failing Write fails every function of
// the transaction; outside a shared transaction Add writes at once.
func TestBatchedWrite(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := withDeadline(t)
			org := mustOrg(t, st, "acme")
			g := store.NewGroupCommitter(st)
			g.MaxWait = 0
			runCtx, stop := context.WithCancel(ctx)
			ran := make(chan struct{})
			go func() { g.Run(runCtx); close(ran) }()
			t.Cleanup(func() { stop(); <-ran })
			waitRunning(t, g)

			var writes [][]string // what each Write got; only the committer's goroutine appends
			failWrite := false
			batch := &store.BatchedWrite[string]{Write: func(ctx context.Context, tx *store.Tx, numbers []string) error {
				writes = append(writes, numbers)
				if failWrite {
					return errors.New("batched write refused")
				}
				for _, n := range numbers {
					if err := tx.InsertTracking(ctx, newTracking(org.ID, "dhl", n)); err != nil {
						return err
					}
				}
				return nil
			}}
			// run queues writers functions behind one that holds the
			// committer, so that they share one transaction; writer 2 adds
			// its item and then fails.
			run := func(prefix string, writers int) []error {
				release, started := make(chan struct{}), make(chan struct{})
				first := make(chan error, 1)
				go func() {
					first <- g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { close(started); <-release; return nil })
				}()
				<-started
				errs := make([]error, writers)
				var wg sync.WaitGroup
				for i := range writers {
					wg.Go(func() {
						errs[i] = g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
							n := fmt.Sprintf("%s%d", prefix, i)
							if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", n)); err != nil {
								return err
							}
							if err := batch.Add(ctx, tx, n); err != nil {
								return err
							}
							if i == 2 {
								return waybill.Errorf(waybill.EINVALID, "changed my mind")
							}
							return nil
						})
					})
				}
				waitQueued(t, g, writers)
				close(release)
				wg.Wait()
				if err := <-first; err != nil {
					t.Fatalf("first: %v", err)
				}
				return errs
			}
			stored := func(slug, number string) bool {
				_, err := st.Read().TrackingByNumber(ctx, org.ID, slug, number)
				return err == nil
			}

			const writers = 6
			errs := run("OK", writers)
			if len(writes) != 1 || len(writes[0]) != writers-1 {
				t.Fatalf("Write calls = %q; want one with the %d items of the functions that succeeded", writes, writers-1)
			}
			for i, err := range errs {
				n := fmt.Sprintf("OK%d", i)
				want := i != 2
				if (err == nil) != want || stored("ups", n) != want || stored("dhl", n) != want {
					t.Errorf("writer %d: %v, its write stored %v, its batched item stored %v; want both stored: %v",
						i, err, stored("ups", n), stored("dhl", n), want)
				}
			}

			writes, failWrite = nil, true
			errs = run("FAIL", writers)
			if len(writes) != 1 {
				t.Fatalf("Write calls = %q; want one", writes)
			}
			for i, err := range errs {
				if n := fmt.Sprintf("FAIL%d", i); err == nil || stored("ups", n) {
					t.Errorf("writer %d after a failed batched write: %v, stored %v; want an error and nothing stored", i, err, stored("ups", n))
				}
			}

			// Outside a shared transaction, Add writes at once.
			writes, failWrite = nil, false
			if err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				if err := batch.Add(ctx, tx, "OWN"); err != nil {
					return err
				}
				if len(writes) != 1 {
					t.Errorf("Add in a transaction of its own: writes %q; want one, at once", writes)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !stored("dhl", "OWN") {
				t.Error("the item added in a transaction of its own was not committed")
			}
		})
	}
}

// TestGroupCommitterFor checks the store's choice: a committer on SQLite,
// none on PostgreSQL, where concurrent commits share WAL flushes already.
func TestGroupCommitterFor(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			if got, want := store.GroupCommitterFor(st) != nil, engine == "sqlite"; got != want {
				t.Errorf("GroupCommitterFor(%s) gave a committer: %v; want %v", engine, got, want)
			}
		})
	}
}

// TestWriteAndQueued checks store.Write: items queued without a function
// of their own are written with the transaction's batch, in queue order,
// and a function queued after them sees them (BatchedWrite.Queued); with
// no committer running, Write writes at once.
func TestWriteAndQueued(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st := testdb.Open(t, engine)
			ctx := withDeadline(t)
			org := mustOrg(t, st, "acme")
			var writes [][]string // only the committer's goroutine appends
			batch := &store.BatchedWrite[string]{Write: func(ctx context.Context, tx *store.Tx, numbers []string) error {
				writes = append(writes, numbers)
				for _, n := range numbers {
					if err := tx.InsertTracking(ctx, newTracking(org.ID, "dhl", n)); err != nil {
						return err
					}
				}
				return nil
			}}
			stored := func(n string) bool {
				_, err := st.Read().TrackingByNumber(ctx, org.ID, "dhl", n)
				return err == nil
			}

			g := store.NewGroupCommitter(st)
			if err := store.Write(ctx, g, batch, "ALONE"); err != nil || len(writes) != 1 || !stored("ALONE") {
				t.Fatalf("Write with no committer running: %v, writes %q, stored %v; want written at once", err, writes, stored("ALONE"))
			}
			writes = nil

			g.MaxWait = 0
			runCtx, stop := context.WithCancel(ctx)
			ran := make(chan struct{})
			go func() { g.Run(runCtx); close(ran) }()
			t.Cleanup(func() { stop(); <-ran })
			waitRunning(t, g)
			release, started := make(chan struct{}), make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { close(started); <-release; return nil })
			}()
			<-started
			errs := make([]error, 4)
			var wg sync.WaitGroup
			for i := range 3 {
				wg.Go(func() { errs[i] = store.Write(ctx, g, batch, fmt.Sprintf("W%d", i)) })
				waitQueued(t, g, i+1)
			}
			var seen []string
			wg.Go(func() {
				errs[3] = g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					seen = batch.Queued(ctx)
					return batch.Add(ctx, tx, "F")
				})
			})
			waitQueued(t, g, 4)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			for i, err := range errs {
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			if want := []string{"W0", "W1", "W2"}; fmt.Sprint(seen) != fmt.Sprint(want) {
				t.Errorf("Queued = %q; want %q", seen, want)
			}
			if want := [][]string{{"W0", "W1", "W2", "F"}}; fmt.Sprint(writes) != fmt.Sprint(want) {
				t.Errorf("Write calls = %q; want %q", writes, want)
			}
			for _, n := range []string{"W0", "W1", "W2", "F"} {
				if !stored(n) {
					t.Errorf("%s not stored", n)
				}
			}
		})
	}
}
