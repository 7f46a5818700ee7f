package tracking_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier/fedex"
	"github.com/waybillhq/waybill/internal/carrier/fedex/fedexfake"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestPollBatchesFedExThroughItsFake: six FedEx trackings of one
// connection polled at once make one call of six numbers to the fake
// FedEx API, and each tracking gets its own number's first scan.
func TestPollBatchesFedExThroughItsFake(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			fake := fedexfake.New(nil)
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			e := newPollEnv(t, engine, "fedex", fedex.New(fedex.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)}))
			e.svc.GatherWindow = 10 * time.Second // all six join before it ends, even on a loaded machine
			if _, err := e.svc.CreateConnection(ctx, e.org.ID, "fedex", map[string]string{"client_id": fedexfake.ClientID, "client_secret": fedexfake.ClientSecret}); err != nil {
				t.Fatal(err)
			}
			var trs []waybill.Tracking
			for i := range 6 {
				trs = append(trs, e.create(t, e.org.ID, "fedex", fmt.Sprintf("79412345678%d", i)))
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(trs))
			for _, tr := range trs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- e.svc.Poll(ctx, e.org.ID, tr.ID, tr.NextPollAt)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := fmt.Sprint(fake.Batches()); got != "[6]" {
				t.Errorf("FedEx calls of %s numbers, want one of 6", got)
			}
			for _, tr := range trs {
				got := e.get(t, e.org.ID, tr.ID)
				if len(got.Checkpoints) != 1 || got.Tag == waybill.TagPending || fake.Polls(tr.TrackingNumber) != 1 {
					t.Errorf("%s: %s with %d checkpoints after %d polls", tr.TrackingNumber, got.Tag, len(got.Checkpoints), fake.Polls(tr.TrackingNumber))
				}
			}
		})
	}
}
