package webhook_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/webhook"
)

// deliverOne dispatches an event and makes its one delivery attempt to the
// receiver, returning what the receiver got.
func (h *harness) deliverOne(t *testing.T, rec *receiver, body []byte) received {
	t.Helper()
	ids := h.dispatch(t, waybill.Event{Tag: waybill.TagInTransit})
	if len(ids) != 1 {
		t.Fatalf("dispatch scheduled %d deliveries, want 1", len(ids))
	}
	if err := h.deliverer(body).Deliver(context.Background(), h.org.ID, ids[0], 1); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	return rec.last(t)
}

// verifies reports which secrets verify each header of a delivery at now.
func verifies(got received, now time.Time, secret string) (standard, aftership bool) {
	standard = webhook.VerifyStandard(secret, got.header, got.body, now, 0) == nil
	aftership = webhook.VerifyAfterShip(secret, got.body, got.header.Get(webhook.HeaderAfterShipSignature)) == nil
	return standard, aftership
}

// TestRotationSigning: during the overlap webhook-signature carries the
// old and the new secret, and the single-valued aftership-hmac-sha256 is
// the old secret's, which AfterShip-style receivers still hold. A rotation
// during the overlap replaces the older of the two; when the overlap ends
// the newest secret alone signs both headers (issues 10 and 17).
func TestRotationSigning(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		rec := newReceiver(t, http.StatusOK)
		body := []byte(`{"event":"tracking_update"}`)
		ep, s0, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(rec.URL + "/hook")})
		if err != nil {
			t.Fatal(err)
		}
		check := func(step string, got received, want map[string][2]bool) {
			t.Helper()
			for secret, w := range want {
				st, as := verifies(got, h.clock(), secret)
				if st != w[0] || as != w[1] {
					t.Errorf("%s: secret %.12s… verifies webhook-signature %v, aftership-hmac-sha256 %v; want %v, %v", step, secret, st, as, w[0], w[1])
				}
			}
		}
		sigs := func(got received) int { return len(strings.Fields(got.header.Get(webhook.HeaderWebhookSignature))) }

		got := h.deliverOne(t, rec, body)
		check("before any rotation", got, map[string][2]bool{s0: {true, true}})

		_, s1, err := h.svc.RotateSecret(ctx, h.org.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.advance(time.Hour)
		got = h.deliverOne(t, rec, body)
		if sigs(got) != 2 {
			t.Errorf("during the overlap: %d signatures, want 2", sigs(got))
		}
		check("during the overlap", got, map[string][2]bool{s0: {true, true}, s1: {true, false}})

		_, s2, err := h.svc.RotateSecret(ctx, h.org.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		got = h.deliverOne(t, rec, body)
		if sigs(got) != 2 {
			t.Errorf("after a rotation during the overlap: %d signatures, want 2", sigs(got))
		}
		check("after a rotation during the overlap", got, map[string][2]bool{s0: {false, false}, s1: {true, true}, s2: {true, false}})

		h.advance(24*time.Hour + time.Second)
		got = h.deliverOne(t, rec, body)
		if sigs(got) != 1 {
			t.Errorf("after the overlap: %d signatures, want 1", sigs(got))
		}
		check("after the overlap", got, map[string][2]bool{s1: {false, false}, s2: {true, true}})
	})
}

// TestRotationKeepsTwoSecrets: 1,500 rotations leave two secrets, and a
// delivery carries two signatures (before: 1,501, which a receiver
// refused with 431). An endpoint stored with more active secrets than that
// still signs with only its newest two.
func TestRotationKeepsTwoSecrets(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.svc.AllowPrivate = true
		rec := newReceiver(t, http.StatusOK)
		body := []byte(`{"event":"tracking_update"}`)
		ep, _, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr(rec.URL + "/hook")})
		if err != nil {
			t.Fatal(err)
		}
		var last, previous string
		for range 1500 {
			_, s, err := h.svc.RotateSecret(ctx, h.org.ID, ep.ID)
			if err != nil {
				t.Fatal(err)
			}
			previous, last = last, s
		}
		stored, err := h.st.Read().Endpoint(ctx, h.org.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Secrets) != 2 || stored.Secrets[0].Secret != previous || stored.Secrets[1].Secret != last {
			t.Fatalf("after 1,500 rotations the endpoint holds %d secrets, want the last two", len(stored.Secrets))
		}
		got := h.deliverOne(t, rec, body)
		if n := len(strings.Fields(got.header.Get(webhook.HeaderWebhookSignature))); n != 2 {
			t.Errorf("delivery after 1,500 rotations has %d signatures, want 2", n)
		}
		if st, _ := verifies(got, h.clock(), last); !st {
			t.Error("the newest secret does not verify")
		}

		// An endpoint written before the limit, with five active secrets.
		stored.Secrets = nil
		var five []string
		for i := range 5 {
			s, _ := webhook.NewSecret()
			five = append(five, s)
			stored.Secrets = append(stored.Secrets, waybill.WebhookSecret{Secret: s, CreatedAt: h.clock().Add(time.Duration(i) * time.Second),
				ExpiresAt: h.clock().Add(time.Hour)})
		}
		stored.Secrets[4].ExpiresAt = time.Time{}
		if err := h.st.Write().UpdateEndpoint(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		got = h.deliverOne(t, rec, body)
		if n := len(strings.Fields(got.header.Get(webhook.HeaderWebhookSignature))); n != 2 {
			t.Errorf("legacy endpoint: %d signatures, want 2", n)
		}
		for i, s := range five {
			st, as := verifies(got, h.clock(), s)
			if wantSt, wantAs := i >= 3, i == 3; st != wantSt || as != wantAs {
				t.Errorf("legacy secret %d: verifies %v/%v, want %v/%v", i, st, as, wantSt, wantAs)
			}
		}
	})
}

// TestConcurrentRotations: rotations that race each other take turns, so
// the endpoint ends with two of the secrets the callers were given, never
// one a caller was told was replaced nor a lost update's leftover.
func TestConcurrentRotations(t *testing.T) {
	t.Parallel()
	onEngines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ep, s0, err := h.svc.CreateEndpoint(ctx, h.org.ID, webhook.EndpointInput{URL: ptr("https://hooks.example.com/in")})
		if err != nil {
			t.Fatal(err)
		}
		warmPool(t, h.st)
		const n = 20
		returned := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				var err error
				if _, returned[i], err = h.svc.RotateSecret(ctx, h.org.ID, ep.ID); err != nil {
					t.Errorf("RotateSecret: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		stored, err := h.st.Read().Endpoint(ctx, h.org.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Secrets) != 2 {
			t.Fatalf("%d secrets stored, want 2", len(stored.Secrets))
		}
		for _, s := range stored.Secrets {
			if s.Secret == s0 || !slices.Contains(returned, s.Secret) {
				t.Errorf("stored secret %.12s… is not one of the 20 rotations' (lost update)", s.Secret)
			}
		}
	})
}
