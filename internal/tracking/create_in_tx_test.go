package tracking_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestCreateInCallersTransactionUsesItsConnection: a create that joins a
// caller's transaction (an Onport ship creates its tracking so) reads
// the organization's courier connections through that transaction. On
// PostgreSQL a read from the pool instead needs a second connection while
// the transaction holds one; with every connection held by such requests
// (50 concurrent ships of one purchase: one holds the sale's lock, the
// others wait for it, each on a connection) none is ever free. A pool of
// one connection shows it at once.
func TestCreateInCallersTransactionUsesItsConnection(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			e := newPollEnv(t, engine, "ups", &scriptedCarrier{answer: transitScan})
			if engine == store.Postgres {
				e.st.Writer().SetMaxOpenConns(1)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := e.st.InTx(ctx, func(ctx context.Context, _ *store.Tx) error {
				_, err := e.svc.Create(ctx, e.org.ID, tracking.CreateInput{TrackingNumber: "1Z999AA10123456784", Slug: "ups"})
				return err
			})
			if err != nil {
				t.Fatalf("create in the caller's transaction: %v", err)
			}
		})
	}
}
