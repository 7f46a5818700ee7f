package tracking_test

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
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestCreateAtKeyGeneration: a create that claims an API key generation
// is written only when its transaction reads that generation. After a
// revocation moved the generation on, creates claiming the old one get
// ErrKeyGenerationMoved and leave nothing behind, while creates claiming
// the current one, in the same committer transactions, are written. Alone
// (no committer) and through a committer alike.
func TestCreateAtKeyGeneration(t *testing.T) {
	for _, engine := range testdb.Engines() {
		for _, batched := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/batched=%v", engine, batched), func(t *testing.T) { createAtKeyGeneration(t, engine, batched) })
		}
	}
}

func createAtKeyGeneration(t *testing.T, engine string, batched bool) {
	ctx := context.Background()
	e := newPollEnv(t, engine, "dhl", &scriptedCarrier{answer: transitScan})
	if batched {
		e.svc.CreateCommit = runCreateCommitter(t, e.st, 5*time.Millisecond) // let the creates gather
	}
	old, current := moveKeyGeneration(t, e)

	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		gen := current
		if i%2 == 1 {
			gen = old
		}
		wg.Go(func() {
			_, errs[i] = e.svc.CreateAtKeyGeneration(ctx, e.org.ID, tracking.CreateInput{TrackingNumber: fmt.Sprintf("98765432%02d", i), Slug: "dhl"}, gen)
		})
	}
	wg.Wait()
	for i, err := range errs {
		number := fmt.Sprintf("98765432%02d", i)
		_, readErr := e.st.Read().TrackingByNumber(ctx, e.org.ID, "dhl", number)
		if i%2 == 0 {
			if err != nil || readErr != nil {
				t.Errorf("create %d at the current generation: %v; stored: %v", i, err, readErr)
			}
			continue
		}
		if !errors.Is(err, tracking.ErrKeyGenerationMoved) {
			t.Errorf("create %d at the generation before the revocation: %v, want ErrKeyGenerationMoved", i, err)
		}
		if waybill.ErrorCode(readErr) != waybill.ENOTFOUND {
			t.Errorf("create %d at the generation before the revocation left a tracking (%v)", i, readErr)
		}
	}
}

// moveKeyGeneration adds an API key to e's organization and revokes it,
// and returns the API key generation before and after: a key remembered
// under old has moved on.
func moveKeyGeneration(t *testing.T, e *pollEnv) (old, current int64) {
	t.Helper()
	ctx := context.Background()
	old, err := e.st.Read().APIKeyGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := store.NewAPIKey()
	k, err := e.st.Write().AddAPIKey(ctx, e.org.ID, key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Write().RevokeAPIKey(ctx, e.org.ID, k.Prefix); err != nil {
		t.Fatal(err)
	}
	current, err = e.st.Read().APIKeyGeneration(ctx)
	if err != nil || current == old {
		t.Fatalf("generation after a revocation: %d (before %d), %v", current, old, err)
	}
	return old, current
}
