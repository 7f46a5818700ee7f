package tracking_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestCreatesThroughCommitter: creates that share a committer's
// transactions (CreateCommit) obey Create's rules each. Of two concurrent
// creates of one tracking exactly one creates it and the other gets
// ECONFLICT, whether or not they land in one transaction; each first poll
// is planned as a lone create plans it (applied at create without a
// connection, none for a courier no connector polls, at once with a
// connection), and each create's job is queued once. With
// ClaimPolls the same first polls are in the trackings' rows, due
// when the jobs would be, and no job is queued.
func TestCreatesThroughCommitter(t *testing.T) {
	for _, engine := range testdb.Engines() {
		for _, claim := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/claim=%v", engine, claim), func(t *testing.T) { createsThroughCommitter(t, engine, claim) })
		}
	}
}

func createsThroughCommitter(t *testing.T, engine string, claim bool) {
	ctx := context.Background()
	c := &scriptedCarrier{answer: transitScan}
	e := newPollEnv(t, engine, "dhl", c)
	e.svc.ClaimPolls = claim
	g := store.NewGroupCommitter(e.st)
	g.MaxWait = 5 * time.Millisecond // let the creates gather
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { g.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	for !g.Running() { // else the first creates commit on their own
		time.Sleep(time.Millisecond)
	}
	e.svc.CreateCommit = g
	other, err := e.st.Write().CreateOrg(ctx, "other", time.Now())
	if err != nil {
		t.Fatal(err)
	}

	type attempt struct {
		org          int64
		slug, number string
	}
	var attempts []attempt
	for i := range 8 {
		n := fmt.Sprintf("12345678%02d", i)
		attempts = append(attempts, attempt{e.org.ID, "dhl", n}, attempt{e.org.ID, "dhl", n}, attempt{other.ID, "dhl", n})
	}
	attempts = append(attempts, attempt{e.org.ID, "royal-mail", "AB000000003GB"}, attempt{e.org.ID, "royal-mail", "AB000000003GB"})
	var (
		mu      sync.Mutex
		created = map[attempt][]waybill.Tracking{}
		refused = map[attempt]int{}
		wg      sync.WaitGroup
	)
	for _, a := range attempts {
		wg.Go(func() {
			tr, err := e.svc.Create(ctx, a.org, tracking.CreateInput{TrackingNumber: a.number, Slug: a.slug})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created[a] = append(created[a], tr)
			case waybill.ErrorReason(err) == waybill.ReasonTrackingExists:
				refused[a]++
			default:
				t.Errorf("create %v: %v", a, err)
			}
		})
	}
	wg.Wait()
	for _, a := range attempts {
		want := 0
		for _, b := range attempts {
			if b == a {
				want++
			}
		}
		if len(created[a]) != 1 || refused[a] != want-1 {
			t.Errorf("%v: created %d, refused %d; want 1 and %d", a, len(created[a]), refused[a], want-1)
			continue
		}
		tr := created[a][0]
		wantTracked, wantNext := 1, e.now.Add(15*time.Minute)
		if a.slug == "royal-mail" {
			wantTracked, wantNext = 0, e.now
		}
		stored := e.get(t, a.org, tr.ID)
		if tr.TrackedCount != wantTracked || !tr.NextPollAt.Equal(wantNext) || stored.TrackedCount != wantTracked ||
			!stored.NextPollAt.Equal(wantNext) || stored.PageToken != tr.PageToken || stored.TrackingNumber != a.number {
			t.Errorf("%v: answered tracked %d next %s, stored tracked %d next %s; want %d and %s", a, tr.TrackedCount,
				tr.NextPollAt, stored.TrackedCount, stored.NextPollAt, wantTracked, wantNext)
		}
		due, ok := pollDue(t, e, tr.ID)
		if wantDue := claim && a.slug == "dhl"; ok != wantDue || ok && !due.Equal(wantNext) {
			t.Errorf("%v: next_poll_due %s (%v), want %v at %s", a, due, ok, wantDue, wantNext)
		}
	}
	if claim {
		if jobs := pollJobs(t, e); len(jobs) != 0 {
			t.Errorf("claimed first polls, yet poll jobs %v", jobs)
		}
		return
	}
	if got, want := pollJobs(t, e), map[int]int{queue.PriorityRoutine: 16}; !maps.Equal(got, want) {
		t.Errorf("poll jobs by priority: %v, want %v", got, want)
	}

	if _, err := e.svc.CreateConnection(ctx, e.org.ID, "dhl", map[string]string{"api_key": "k"}); err != nil {
		t.Fatal(err)
	}
	tr := e.create(t, e.org.ID, "dhl", "1234567899")
	if tr.TrackedCount != 0 || !tr.NextPollAt.Equal(e.now) {
		t.Errorf("with a connection: tracked %d, next poll %s; want 0 and %s", tr.TrackedCount, tr.NextPollAt, e.now)
	}
	tr = e.create(t, other.ID, "dhl", "1234567899")
	if tr.TrackedCount != 1 {
		t.Errorf("another organization's connection counts: tracked %d, want 1", tr.TrackedCount)
	}
	if got, want := pollJobs(t, e), map[int]int{queue.PriorityRoutine: 17, queue.PriorityNew: 1}; !maps.Equal(got, want) {
		t.Errorf("with a connection, poll jobs by priority: %v, want %v", got, want)
	}
	// Every create went through the committer, refused ones too.
	if _, items := g.Stats(); items != int64(len(attempts)+2) {
		t.Errorf("committer: %d items, want %d", items, len(attempts)+2)
	}
	if c.callCount() != 0 {
		t.Errorf("the carrier was asked %d times by creates", c.callCount())
	}
}

// pollJobs gives how many poll jobs each priority has.
func pollJobs(t *testing.T, e *pollEnv) map[int]int {
	t.Helper()
	rows, err := e.st.Writer().QueryContext(context.Background(), `SELECT priority, COUNT(*) FROM river_job WHERE kind = 'poll_tracking' GROUP BY priority`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var p, n int
		if err := rows.Scan(&p, &n); err != nil {
			t.Fatal(err)
		}
		out[p] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchedCreateStoresTheSettledFirstPoll: a create through a
// committer whose first poll is settled in the committer's transaction
// (a courier that needs a connection, and the organization has none:
// planConnected applies the poll to the tracking there) stores the
// tracking as that left it, not as it was when the create was queued;
// one whose plan needs no read stores what it was encoded with at the
// request (store.EncodeTracking). Both engines, with and without
// ClaimPolls.
func TestBatchedCreateStoresTheSettledFirstPoll(t *testing.T) {
	for _, engine := range testdb.Engines() {
		for _, claim := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/claim=%v", engine, claim), func(t *testing.T) {
				e := newPollEnv(t, engine, "dhl", &scriptedCarrier{answer: transitScan})
				e.svc.ClaimPolls = claim
				e.svc.CreateCommit = runCreateCommitter(t, e.st, 0)

				tr := e.create(t, e.org.ID, "dhl", "1234567890")
				want := e.now.Add(15 * time.Minute)
				if got := e.get(t, e.org.ID, tr.ID); got.TrackedCount != 1 || !got.NextPollAt.Equal(want) || got.PageToken != tr.PageToken {
					t.Errorf("stored: tracked %d, next poll %s, token %q; want 1, %s, %q", got.TrackedCount, got.NextPollAt, got.PageToken, want, tr.PageToken)
				}
				// No connector for royal-mail: its plan needs no read, and it
				// is encoded before it is queued.
				tr = e.create(t, e.org.ID, "royal-mail", "AB000000003GB")
				if got := e.get(t, e.org.ID, tr.ID); got.TrackedCount != 0 || got.Title != tr.Title || got.PageToken != tr.PageToken || got.TrackingNumber != "AB000000003GB" {
					t.Errorf("stored: %+v; want the tracking created, %+v", got, tr)
				}
			})
		}
	}
}

// runCreateCommitter starts a group committer on st, with MaxWait wait
// when not zero, that runs until the test ends, and returns it once it
// runs (before, creates would commit on their own).
func runCreateCommitter(t *testing.T, st *store.Store, wait time.Duration) *store.GroupCommitter {
	t.Helper()
	g := store.NewGroupCommitter(st)
	if wait > 0 {
		g.MaxWait = wait
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	for !g.Running() {
		time.Sleep(time.Millisecond)
	}
	return g
}
