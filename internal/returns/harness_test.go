package returns_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// env is the returns core over a real database, with a queue that only
// records jobs, a clock the test moves, and two organizations.
type env struct {
	t         *testing.T
	ctx       context.Context
	st        *store.Store
	svc       *returns.Service
	notifier  *notify.Service
	trackings *tracking.Service
	org, org2 waybill.Organization

	mu  sync.Mutex
	now time.Time
}

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	st := testdb.Open(t, engine)
	ctx := context.Background()
	e := &env{t: t, ctx: ctx, st: st, now: t0}
	tenants := &tenant.Service{Store: st}
	var err error
	if e.org, _, err = tenants.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if e.org2, _, err = tenants.CreateOrg(ctx, "globex"); err != nil {
		t.Fatal(err)
	}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	webhooks := &webhook.Service{Store: st, Queue: q, AllowPrivate: true}
	// The shopper's emails are notifications, decided with each change;
	// with no sender configured they are only recorded and queued here.
	e.notifier = &notify.Service{Store: st, Queue: q, Now: e.clock, PublicURL: "http://waybill.test"}
	e.svc = &returns.Service{Store: st, Events: e.notifier.After(webhooks), Now: e.clock}
	e.trackings = &tracking.Service{Store: st, Queue: q, Dispatcher: e.svc.After(webhooks), Now: e.clock}
	e.svc.Trackings = e.trackings
	// Every return event reaches an endpoint, so deliveries can be counted.
	for _, org := range []waybill.Organization{e.org, e.org2} {
		url := "https://hooks.example.com/" + org.Name
		if _, _, err := webhooks.CreateEndpoint(ctx, org.ID, webhook.EndpointInput{URL: &url, Events: &waybill.ReturnEvents}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// ship creates a tracking of the order, with the shopper's email and
// postal code on it; deliveredAgo > 0 also delivers it that long ago.
func (e *env) ship(org waybill.Organization, number, order string, deliveredAgo time.Duration) waybill.Tracking {
	e.t.Helper()
	email, postal := "ann@example.com", "NW1 6XE"
	in := tracking.CreateInput{TrackingNumber: number, Slug: "dhl"}
	in.Fields.OrderNumber, in.Fields.DestinationPostalCode = &order, &postal
	in.Fields.Emails = &[]string{email}
	tr, err := e.trackings.Create(e.ctx, org.ID, in)
	if err != nil {
		e.t.Fatal(err)
	}
	if deliveredAgo > 0 {
		at := e.clock().Add(-deliveredAgo).Format(time.RFC3339)
		res, err := e.trackings.PushCheckpoints(e.ctx, org.ID, tracking.PushInput{Slug: "dhl", TrackingNumber: number,
			Checkpoints: []waybill.Checkpoint{{CheckpointTime: at, Message: "Delivered", Tag: waybill.TagDelivered}}})
		if err != nil {
			e.t.Fatal(err)
		}
		tr = res.Tracking
	}
	return tr
}

// sale stores an Onport-style sale with lines (name → quantity) and, for
// each SKU given, a variant.
func (e *env) sale(org waybill.Organization, external string, lines ...saleLine) waybill.Sale {
	e.t.Helper()
	var s waybill.Sale
	err := e.st.WithTx(e.ctx, func(tx *store.Tx) error {
		ch := waybill.Channel{OrgID: org.ID, Name: "shop-" + external, WebhookHash: "hash-" + external + org.Name, CreatedAt: t0}
		if err := tx.InsertChannel(e.ctx, &ch); err != nil {
			return err
		}
		s = waybill.Sale{OrgID: org.ID, ChannelID: ch.ID, ExternalID: external, Reference: external, Status: "open",
			Shipping: waybill.Address{Email: "ann@example.com", Zip: "NW1 6XE"}, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.SaveSale(e.ctx, &s); err != nil {
			return err
		}
		for i, l := range lines {
			it := waybill.SaleItem{OrgID: org.ID, SaleID: s.ID, ExternalID: fmt.Sprintf("L%d", i+1), Name: l.name, Quantity: l.qty, CreatedAt: t0, UpdatedAt: t0}
			if l.sku != "" {
				v := waybill.Variant{OrgID: org.ID, ChannelID: ch.ID, SKU: l.sku, Name: l.name, CreatedAt: t0, UpdatedAt: t0}
				if err := tx.SaveVariant(e.ctx, &v); err != nil {
					return err
				}
				it.VariantID = v.ID
			}
			if err := tx.SaveSaleItem(e.ctx, &it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

type saleLine struct {
	name string
	qty  int
	sku  string
}

// submit returns lines of the order (id → quantity) with the first
// reason and refund.
func (e *env) submit(org waybill.Organization, order string, lines map[string]int) (waybill.Return, error) {
	in := returns.SubmitInput{Language: "en"}
	for id, n := range lines {
		in.Lines = append(in.Lines, returns.LineInput{ID: id, Quantity: n, Reason: "too_small", Resolution: waybill.ResolutionRefund})
	}
	return e.svc.Submit(e.ctx, returns.OrderRef{OrgID: org.ID, OrderNumber: order}, "ann@example.com", in)
}

func (e *env) mustSubmit(org waybill.Organization, order string, lines map[string]int) waybill.Return {
	e.t.Helper()
	r, err := e.submit(org, order, lines)
	if err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	return r
}

// events lists the organization's return event types, oldest first.
func (e *env) events(org waybill.Organization) []string {
	e.t.Helper()
	evs, _, err := e.st.Read().Events(e.ctx, org.ID, time.Time{}, time.Time{}, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if ev.Return != nil {
			out = append(out, ev.Type)
		}
	}
	return out
}

// jobs counts queued jobs of a kind.
func (e *env) jobs(kind string) int {
	e.t.Helper()
	var n int
	if err := e.st.Writer().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// deliveries counts webhook deliveries of the organization.
func (e *env) deliveries(org waybill.Organization) int {
	e.t.Helper()
	var n int
	if err := e.st.Writer().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM deliveries WHERE org_id = $1`, org.ID).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func forEngines(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { fn(t, newEnv(t, engine)) })
	}
}

func wantCode(t *testing.T, err error, code, reason string) {
	t.Helper()
	if waybill.ErrorCode(err) != code || (reason != "" && waybill.ErrorReason(err) != reason) {
		t.Fatalf("error %v; want %s/%s", err, code, reason)
	}
}
