package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// runLoops starts g with loops loops and no wait for company, and stops it
// when the test ends.
func runLoops(t *testing.T, ctx context.Context, g *store.GroupCommitter, loops int) {
	t.Helper()
	g.Loops, g.MaxWait = loops, 0
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { g.Run(runCtx); close(ran) }()
	t.Cleanup(func() { stop(); <-ran })
	waitRunning(t, g)
}

// openCommitterStore opens a store of engine with an organization, and a context
// that ends with the test's deadline.
func openCommitterStore(t *testing.T, engine string) (*store.Store, context.Context, waybill.Organization) {
	t.Helper()
	st := testdb.Open(t, engine)
	return st, withDeadline(t), mustOrg(t, st, "acme")
}

// holdFirstCommit runs a committer of two loops on st whose first
// transaction, once its statements have run, closes holding and waits
// until letGo is closed before it commits; later ones commit at once.
func holdFirstCommit(t *testing.T, ctx context.Context, st *store.Store) (g *store.GroupCommitter, holding, letGo chan struct{}) {
	t.Helper()
	g = store.NewGroupCommitter(st)
	var held atomic.Bool
	holding, letGo = make(chan struct{}), make(chan struct{})
	g.HoldCommits(func() {
		if held.CompareAndSwap(false, true) {
			close(holding)
			<-letGo
		}
	})
	runLoops(t, ctx, g, 2)
	return g, holding, letGo
}

// TestGroupCommitLoopsOverlap checks the pipeline of a committer with two
// loops on PostgreSQL: while the first batch's commit is held (after its
// statements), the second loop takes the next batch, runs it and commits
// it, and the first caller is answered only once its own commit is done.
// One loop could not run the second batch before the first's commit.
// (On SQLite's one writer connection the second transaction would wait
// for the first's commit: nothing to see there.)
func TestGroupCommitLoopsOverlap(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			if engine == "sqlite" {
				t.Skip("one writer connection: SQLite transactions cannot overlap")
			}
			t.Parallel()
			st, ctx, org := openCommitterStore(t, engine)
			g, holding, letGo := holdFirstCommit(t, ctx, st)
			insert := func(number string) func(ctx context.Context, tx *store.Tx) error {
				return func(ctx context.Context, tx *store.Tx) error {
					return tx.InsertTracking(ctx, newTracking(org.ID, "ups", number))
				}
			}

			first := make(chan error, 1)
			go func() { first <- g.InTx(ctx, insert("HELD")) }()
			select {
			case <-holding:
			case <-ctx.Done():
				t.Fatal("the first batch never reached its commit")
			}
			if err := g.InTx(ctx, insert("NEXT")); err != nil {
				t.Fatalf("second batch, while the first's commit is held: %v", err)
			}
			select {
			case err := <-first:
				t.Fatalf("the first caller was answered (%v) before its commit", err)
			default:
			}
			if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "NEXT"); err != nil {
				t.Errorf("second batch's write: %v", err)
			}
			close(letGo)
			if err := <-first; err != nil {
				t.Fatalf("first batch: %v", err)
			}
			if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", "HELD"); err != nil {
				t.Errorf("first batch's write: %v", err)
			}
			if batches, items := g.Stats(); batches != 2 || items != 2 {
				t.Errorf("Stats = %d batches, %d items; want 2 and 2", batches, items)
			}
		})
	}
}

// TestGroupCommitLoopsSameRow checks that two transactions of one
// committer that insert the same tracking, as the batched creates do
// (InsertTrackings in (org, slug, number) order, rows of their own
// beside it), settle it as one would: on either engine exactly one of them
// inserts it and the other learns that it did not, with no deadlock and
// no failed transaction. On PostgreSQL the second runs its statements
// while the first's commit is held, so its insert waits on the first's
// lock of the row.
func TestGroupCommitLoopsSameRow(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st, ctx, org := openCommitterStore(t, engine)
			g, holding, letGo := holdFirstCommit(t, ctx, st)

			insert := func(numbers ...string) ([]bool, func(ctx context.Context, tx *store.Tx) error) {
				ok := make([]bool, len(numbers))
				return ok, func(ctx context.Context, tx *store.Tx) error {
					ts := make([]*waybill.Tracking, len(numbers))
					for i, n := range numbers {
						ts[i] = newTracking(org.ID, "ups", n)
					}
					got, err := tx.InsertTrackings(ctx, ts)
					copy(ok, got)
					return err
				}
			}
			firstOK, firstInsert := insert("A1", "SAME", "Z1")
			secondOK, secondInsert := insert("A2", "SAME", "Z2")
			firstDone, secondDone := make(chan error, 1), make(chan error, 1)
			go func() { firstDone <- g.InTx(ctx, firstInsert) }()
			<-holding // the first has inserted its rows and not committed
			secondStarted := make(chan struct{})
			go func() {
				secondDone <- g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					close(secondStarted)
					return secondInsert(ctx, tx)
				})
			}()
			if engine != "sqlite" { // SQLite's second begins after the first's commit
				<-secondStarted
			}
			close(letGo)
			if err := <-firstDone; err != nil {
				t.Fatalf("first transaction: %v", err)
			}
			if err := <-secondDone; err != nil {
				t.Fatalf("second transaction: %v", err)
			}
			if want := []bool{true, true, true}; !slices.Equal(firstOK, want) {
				t.Errorf("first inserted %v; want %v", firstOK, want)
			}
			if want := []bool{true, false, true}; !slices.Equal(secondOK, want) {
				t.Errorf("second inserted %v; want %v (SAME was the first's)", secondOK, want)
			}
			for _, n := range []string{"A1", "SAME", "Z1", "A2", "Z2"} {
				if _, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", n); err != nil {
					t.Errorf("%s: %v", n, err)
				}
			}
		})
	}
}

// TestGroupCommitLoopsContract runs many writers through a committer of
// three loops on each engine: each caller still gets its own outcome (a
// duplicate its conflict, a failing function its error, nothing of it
// written) and every other write commits.
func TestGroupCommitLoopsContract(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			st, ctx, org := openCommitterStore(t, engine)
			g := store.NewGroupCommitter(st)
			runLoops(t, ctx, g, 3)

			const writers = 60
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					number := fmt.Sprintf("L%d", i/2) // pairs of writers share a number
					errs[i] = g.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
						if err := tx.InsertTracking(ctx, newTracking(org.ID, "ups", number)); err != nil {
							return err
						}
						if i%10 == 9 {
							return waybill.Errorf(waybill.EINVALID, "writer %d changes its mind", i)
						}
						return nil
					})
				})
			}
			wg.Wait()
			for pair := range writers / 2 {
				a, b := errs[2*pair], errs[2*pair+1]
				_, err := st.Read().TrackingByNumber(ctx, org.ID, "ups", fmt.Sprintf("L%d", pair))
				stored := err == nil
				var ok, conflicts, invalid int
				for _, err := range []error{a, b} {
					switch {
					case err == nil:
						ok++
					case waybill.ErrorReason(err) == waybill.ReasonTrackingExists:
						conflicts++
					case waybill.ErrorCode(err) == waybill.EINVALID:
						invalid++
					default:
						t.Errorf("pair %d: unexpected %v", pair, err)
					}
				}
				// The odd writer of every fifth pair fails after writing: if
				// it wrote first, its write went with its savepoint and the
				// even one's commits; if it came second, it met the conflict.
				switch {
				case invalid == 0 && (ok != 1 || conflicts != 1 || !stored):
					t.Errorf("pair %d: %v, %v, stored %v; want one commit and one conflict", pair, a, b, stored)
				case invalid == 1 && (ok != 1 || !stored):
					t.Errorf("pair %d: %v, %v, stored %v; want the other committed", pair, a, b, stored)
				}
			}
		})
	}
}
