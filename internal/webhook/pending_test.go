package webhook_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// TestSweepPendingTime: a tracking still Pending past an endpoint's
// threshold is announced to that endpoint once, and to no other; a
// tracking that moved on, or is younger, is not.
func TestSweepPendingTime(t *testing.T) {
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		endpoint := func(url string, events []string, hours *int) waybill.WebhookEndpoint {
			e, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(url), Events: &events, PendingHours: hours})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		short := endpoint("https://hooks.example.com/short", []string{waybill.EventTrackingPendingTime}, ptr(2))
		long := endpoint("https://hooks.example.com/long", []string{waybill.EventTrackingPendingTime, waybill.EventTrackingUpdate}, nil)
		deaf := endpoint("https://hooks.example.com/deaf", []string{waybill.EventTrackingUpdate}, ptr(1))
		if long.PendingHours != waybill.DefaultPendingHours {
			t.Fatalf("subscribing without a threshold gave %d hours, want %d", long.PendingHours, waybill.DefaultPendingHours)
		}

		created := h.clock()
		track := func(n int, tag waybill.Tag) waybill.Tracking {
			tr := waybill.Tracking{OrgID: h.org.ID, Slug: "ups", TrackingNumber: fmt.Sprintf("1ZPEND%04d", n), Tag: tag,
				Subtag: waybill.DefaultSubtag(tag), Active: true, CreatedAt: created, UpdatedAt: created, LastUpdatedAt: created}
			if err := h.st.Write().InsertTracking(ctx, &tr); err != nil {
				t.Fatal(err)
			}
			return tr
		}
		waiting := track(1, waybill.TagPending)
		track(2, waybill.TagInTransit)

		sweep := func(when string) map[string][]string {
			t.Helper()
			n, err := h.svc.SweepPendingTime(ctx)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			got := map[string][]string{}
			for _, id := range h.queue.take() {
				d, err := h.st.Read().Delivery(ctx, h.org.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if d.Event.Type != waybill.EventTrackingPendingTime || d.Event.Tracking == nil || d.Event.Tracking.Tag != waybill.TagPending {
					t.Errorf("%s: delivery of %+v", when, d.Event)
				}
				got[d.Endpoint.ID] = append(got[d.Endpoint.ID], d.Event.TrackingID)
			}
			if total := len(got[short.ID]) + len(got[long.ID]) + len(got[deaf.ID]); total != n {
				t.Errorf("%s: %d events reported, %d deliveries", when, n, total)
			}
			return got
		}

		h.advance(time.Hour + 59*time.Minute)
		if got := sweep("before the threshold"); len(got) != 0 {
			t.Errorf("before 2 hours: %v", got)
		}
		h.advance(time.Minute)
		got := sweep("at 2 hours")
		if !slices.Equal(got[short.ID], []string{waiting.ID}) || len(got) != 1 {
			t.Errorf("at 2 hours: %v, want only %s to hear of %s", got, short.ID, waiting.ID)
		}
		h.advance(time.Hour)
		if got := sweep("again"); len(got) != 0 {
			t.Errorf("a second sweep sent again: %v", got)
		}
		// A tracking added later waits for its own threshold.
		created = h.clock()
		late := track(3, waybill.TagPending)
		h.advance(21 * time.Hour) // 24 hours after the first
		got = sweep("at 24 hours")
		if !slices.Equal(got[long.ID], []string{waiting.ID}) || !slices.Equal(got[short.ID], []string{late.ID}) || len(got) != 2 {
			t.Errorf("at 24 hours: %v, want %s to hear of %s and %s of %s", got, long.ID, waiting.ID, short.ID, late.ID)
		}
		// A disabled endpoint hears nothing; enabled again, it catches up once.
		if _, err := h.svc.UpdateEndpoint(ctx, h.org.ID, long.ID, webhook.EndpointInput{Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		h.advance(24 * time.Hour)
		if got := sweep("disabled"); len(got) != 0 {
			t.Errorf("disabled endpoint: %v", got)
		}
		if _, err := h.svc.UpdateEndpoint(ctx, h.org.ID, long.ID, webhook.EndpointInput{Enabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if got := sweep("enabled"); !slices.Equal(got[long.ID], []string{late.ID}) || len(got) != 1 {
			t.Errorf("enabled again: %v", got)
		}
		// Replaying the range sends to the endpoint the event was for, only.
		if n, err := h.svc.ReplayRange(ctx, h.org.ID, short.ID, created, h.clock().Add(time.Hour)); err != nil || n != 1 {
			t.Errorf("replay to its endpoint: %d, %v", n, err)
		}
		h.queue.take()
	})
}

func TestPendingHoursValidation(t *testing.T) {
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		for _, hours := range []int{0, -1, 721} {
			_, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr("https://hooks.example.com/x"), PendingHours: ptr(hours)})
			if waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("pending_hours %d: %v, want EINVALID", hours, err)
			}
		}
		e, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr("https://hooks.example.com/x"), PendingHours: ptr(720)})
		if err != nil || e.PendingHours != 720 {
			t.Fatalf("720 hours: %+v, %v", e, err)
		}
		got, err := h.st.Read().Endpoint(ctx, h.org.ID, e.ID)
		if err != nil || got.PendingHours != 720 {
			t.Errorf("stored: %d, %v", got.PendingHours, err)
		}
	})
}
