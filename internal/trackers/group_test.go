package trackers_test

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/trackers"
	"github.com/waybillhq/waybill/internal/tracking"
)

// recorder is an EventWriter that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []waybill.Event
}

func (r *recorder) Dispatch(_ context.Context, _ *store.Tx, events ...waybill.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return nil
}

// take returns what was recorded since the last take.
func (r *recorder) take() []waybill.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

type noPolls struct{}

func (noPolls) EnqueuePoll(context.Context, *sql.Tx, int64, string, time.Time, int) error { return nil }
func (noPolls) EnqueuePollBatch(context.Context, *sql.Tx, []queue.Poll, int) error        { return nil }

func str(s string) *string { return &s }

// TestGroupSharesPageAndAnnouncesEachStatusOnce: trackers of one group
// share the group's page, and the group's customer is notified of a
// status once, by whichever tracker reaches it first; webhooks still hear
// every tracker's change. Both engines.
func TestGroupSharesPageAndAnnouncesEachStatusOnce(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org, _, err := (&tenant.Service{Store: st}).CreateOrg(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			trackings := &tracking.Service{Store: st, Queue: noPolls{}}
			hooks, notified := &recorder{}, &recorder{}
			core := &trackers.Service{Store: st, Trackings: trackings, Webhooks: hooks}
			trackings.Dispatcher = core.Dispatcher(hooks, notified)
			if _, err := core.CreateProvider(ctx, org.ID, waybill.TrackerProviderInput{Name: str("Own fleet"), Slug: str("sandbox")}); err != nil {
				t.Fatal(err)
			}
			create := func(ext, number, group string) trackers.View {
				in := waybill.TrackerInput{Provider: str("Own fleet"), TrackingID: str(number), ExternalID: str(ext),
					Type: str("pickup"), Pickup: &waybill.TrackerPickup{Address: &waybill.TrackerAddress{Street1: "1 Main St", City: "Leeds", CountryCode: "GB"}},
					DeliveryContact: &waybill.TrackerContact{Email: "shopper@example.com"}}
				if group != "" {
					in.GroupID = str(group)
				}
				v, err := core.Create(ctx, org.ID, in)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			a, b, c := create("a", "SBXA1", "order-7"), create("b", "SBXB1", "order-7"), create("c", "SBXC1", "")
			if a.Tracker.GroupToken != a.Tracking.PageToken || b.Tracker.GroupToken != a.Tracking.PageToken {
				t.Errorf("group tokens %q, %q, want the first tracker's page %q", a.Tracker.GroupToken, b.Tracker.GroupToken, a.Tracking.PageToken)
			}
			if c.Tracker.GroupToken != c.Tracking.PageToken {
				t.Errorf("an ungrouped tracker's token %q, want its own page %q", c.Tracker.GroupToken, c.Tracking.PageToken)
			}
			if a.Tracking.OrderID != "order-7" || b.Tracking.OrderID != "order-7" || c.Tracking.OrderID != "c" {
				t.Errorf("order ids %q %q %q: the group's order page lists the group", a.Tracking.OrderID, b.Tracking.OrderID, c.Tracking.OrderID)
			}

			push := func(number string, tag waybill.Tag, minute int) {
				cp := waybill.Checkpoint{CheckpointTime: time.Date(2026, 12, 1, 10, minute, 0, 0, time.UTC).Format(time.RFC3339),
					Tag: tag, Subtag: waybill.DefaultSubtag(tag), Message: string(tag)}
				if _, err := trackings.PushCheckpoints(ctx, org.ID, tracking.PushInput{Slug: "sandbox", TrackingNumber: number, Checkpoints: []waybill.Checkpoint{cp}}); err != nil {
					t.Fatal(err)
				}
			}
			notices := func() []string {
				var out []string
				for _, e := range notified.take() {
					if e.Type == waybill.EventTrackingUpdate {
						out = append(out, e.Tracking.OrderNumber+":"+string(e.Tag))
					}
				}
				return out
			}
			changes := func() []string {
				var out []string
				for _, e := range hooks.take() {
					if e.Type == waybill.EventTrackerStatusChanged {
						out = append(out, e.Tracking.OrderNumber)
					}
				}
				return out
			}
			for i, step := range []struct {
				number  string
				tag     waybill.Tag
				notices []string
			}{
				{"SBXA1", waybill.TagInTransit, []string{"a:InTransit"}},
				{"SBXB1", waybill.TagInTransit, nil}, // the group announced InTransit already
				{"SBXC1", waybill.TagInTransit, []string{"c:InTransit"}},
				{"SBXB1", waybill.TagDelivered, []string{"b:Delivered"}},
				{"SBXA1", waybill.TagDelivered, nil},
			} {
				push(step.number, step.tag, i)
				if got := notices(); !slices.Equal(got, step.notices) {
					t.Errorf("%s %s: notified %v, want %v", step.number, step.tag, got, step.notices)
				}
				if got := changes(); len(got) != 1 {
					t.Errorf("%s %s: tracker.status_changed for %v, want one", step.number, step.tag, got)
				}
			}
			for ext, want := range map[string]string{"a": "ORDER_DELIVERED", "b": "ORDER_DELIVERED", "c": "IN_TRANSIT"} {
				if v, err := core.Get(ctx, org.ID, ext); err != nil || v.Status != want || v.Tracker.Status != want {
					t.Errorf("tracker %s = %v %s (stored %s), want %s", ext, err, v.Status, v.Tracker.Status, want)
				}
			}
		})
	}
}
