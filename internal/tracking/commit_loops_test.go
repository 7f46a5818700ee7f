package tracking_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestCreatesThroughPipelinedCommitter: with a committer of two loops
// (serve's on PostgreSQL), identical creates can land in two transactions
// under way at once; still exactly one of them creates the tracking, each
// other one gets ECONFLICT, and each tracking gets one poll job.
func TestCreatesThroughPipelinedCommitter(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newPollEnv(t, engine, "dhl", &scriptedCarrier{answer: transitScan})
			g := store.NewGroupCommitter(e.st)
			g.Loops, g.MaxWait = 2, 0
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { g.Run(runCtx); close(done) }()
			t.Cleanup(func() { stop(); <-done })
			e.svc.CreateCommit = g

			const numbers, copies = 12, 3
			var (
				mu               sync.Mutex
				created, refused = map[string]int{}, map[string]int{}
				wg               sync.WaitGroup
			)
			for c := range copies {
				for i := range numbers {
					n := fmt.Sprintf("%010d", 4200000000+(i*7+c)%numbers)
					wg.Go(func() {
						_, err := e.svc.Create(ctx, e.org.ID, tracking.CreateInput{TrackingNumber: n, Slug: "dhl"})
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							created[n]++
						case waybill.ErrorReason(err) == waybill.ReasonTrackingExists:
							refused[n]++
						default:
							t.Errorf("create %s: %v", n, err)
						}
					})
				}
			}
			wg.Wait()
			for i := range numbers {
				n := fmt.Sprintf("%010d", 4200000000+i)
				if created[n] != 1 || refused[n] != copies-1 {
					t.Errorf("%s: created %d, refused %d; want 1 and %d", n, created[n], refused[n], copies-1)
				}
			}
			if got, want := pollJobs(t, e), map[int]int{queue.PriorityRoutine: numbers}; !maps.Equal(got, want) {
				t.Errorf("poll jobs by priority: %v, want %v", got, want)
			}
		})
	}
}
