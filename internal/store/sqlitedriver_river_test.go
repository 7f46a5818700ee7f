package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestRiverFetchClaimsItsLimit: River's fetch on the store's SQLite
// writer, which the caching driver prepares with its limit evaluated at
// run time (planOnce), still claims exactly min(limit, available) jobs of
// its queue at each call, with limits varying from call to call and jobs
// inserted between calls; and the text the driver rewrites is River's
// (a River upgrade that changed it would fail here, not silently parse
// every fetch again).
func TestRiverFetchClaimsItsLimit(t *testing.T) {
	st := testdb.Open(t, store.SQLite)
	ctx := context.Background()
	if err := queue.Migrate(st.Writer(), store.SQLite)(ctx); err != nil {
		t.Fatal(err)
	}
	exec := riversqlite.New(st.Writer()).GetExecutor()
	insert := func(queueName string, n int) {
		t.Helper()
		jobs := make([]*riverdriver.JobInsertFastParams, n)
		for i := range jobs {
			jobs[i] = &riverdriver.JobInsertFastParams{EncodedArgs: []byte(`{}`), Kind: "k", MaxAttempts: 5, Priority: 1,
				Queue: queueName, State: rivertype.JobStateAvailable, Metadata: []byte(`{}`), Tags: []string{}}
		}
		if _, err := exec.JobInsertFastMany(ctx, &riverdriver.JobInsertFastManyParams{Jobs: jobs}); err != nil {
			t.Fatal(err)
		}
	}
	available := map[string]int{"a": 0, "b": 0}
	steps := []struct {
		queue        string
		insert, take int
	}{{"a", 10, 3}, {"b", 2, 5}, {"a", 0, 3}, {"a", 0, 7}, {"b", 6, 1}, {"a", 5, 2}, {"b", 0, 100}, {"a", 0, 100}, {"a", 0, 4}}
	for i, s := range steps {
		insert(s.queue, s.insert)
		available[s.queue] += s.insert
		got, err := exec.JobGetAvailable(ctx, &riverdriver.JobGetAvailableParams{ClientID: "c", MaxAttemptedBy: 100, MaxToLock: s.take, Queue: s.queue})
		if err != nil {
			t.Fatal(err)
		}
		want := min(s.take, available[s.queue])
		available[s.queue] -= want
		if len(got.Jobs) != want {
			t.Errorf("step %d: fetch of %d from queue %s claimed %d, want %d", i, s.take, s.queue, len(got.Jobs), want)
		}
		for _, j := range got.Jobs {
			if j.Queue != s.queue || j.State != rivertype.JobStateRunning {
				t.Errorf("step %d: claimed %s", i, fmt.Sprint(j.Queue, " ", j.State))
			}
		}
	}
	seen, plannedOnce, err := store.RiverFetchPlannedOnce(ctx, st.Writer())
	if err != nil {
		t.Fatal(err)
	}
	if !seen || !plannedOnce {
		t.Errorf("River's fetch prepared: %v; with its limit evaluated at run time: %v", seen, plannedOnce)
	}
}
