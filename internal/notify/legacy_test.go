package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestLegacyReturnEmailJob stands for a send_return_email job queued by
// a release before return emails were notifications: the change was
// recorded (its event exists) but no notification was decided. Working
// the job decides the shopper's email once, however often it runs; an
// event that is gone or not a return change decides nothing.
func TestLegacyReturnEmailJob(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e, _ := returnsEnv(t, engine)
			// The older release: the change reaches webhooks only.
			old := &returns.Service{Store: e.st, Events: e.notifier.Events, Trackings: e.trackings, Now: e.clock.Now}
			r := shipAndReturn(t, e, old, "JD014600006281239999", "#2001", "en")
			ctx := context.Background()
			events, _, err := e.st.Read().Events(ctx, e.org, time.Time{}, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			var submitted, tracked string
			for _, ev := range events {
				switch {
				case ev.Type == "return.submitted":
					submitted = ev.ID
				case ev.Type == waybill.EventTrackingUpdate:
					tracked = ev.ID
				}
			}
			if submitted == "" || tracked == "" {
				t.Fatalf("events %+v: want a return.submitted and a tracking_update", events)
			}
			if ns := e.returnNotifications(t, r.ID); len(ns) != 0 {
				t.Fatalf("before the job: %d notifications, want 0", len(ns))
			}
			for _, id := range []string{submitted, submitted, tracked, "no-such-event"} {
				if err := e.notifier.DispatchStoredReturnEvent(ctx, e.org, id); err != nil {
					t.Fatalf("dispatch %s: %v", id, err)
				}
			}
			ns := e.returnNotifications(t, r.ID)
			if len(ns) != 1 || ns[0].Status != "return.submitted" || ns[0].Recipient != shopper {
				t.Fatalf("after the job: %+v, want one return.submitted email to %s", ns, shopper)
			}
			e.sendReturn(t, r.ID)
			if got := len(e.smtp.Mails()); got != 1 {
				t.Fatalf("%d mails sent, want 1", got)
			}
		})
	}
}

func (e *env) returnNotifications(t *testing.T, returnID string) []waybill.Notification {
	t.Helper()
	ns, err := e.notifier.List(context.Background(), e.org, notify.Filter{ReturnID: returnID})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}
