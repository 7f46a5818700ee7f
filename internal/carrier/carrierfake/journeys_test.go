package carrierfake_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
	"github.com/waybillhq/waybill/internal/carrier/dhl"
	"github.com/waybillhq/waybill/internal/carrier/dhl/dhlfake"
	"github.com/waybillhq/waybill/internal/carrier/fedex"
	"github.com/waybillhq/waybill/internal/carrier/fedex/fedexfake"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
	"github.com/waybillhq/waybill/internal/carrier/ups"
	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/carrier/usps"
	"github.com/waybillhq/waybill/internal/carrier/usps/uspsfake"
)

// connectorCase is one carrier: its fake, a connector speaking to it,
// and the credentials the fake accepts.
type connectorCase struct {
	slug, number string
	creds        map[string]string
	start        func(t testing.TB, clk *carrierfake.Clock) (carrier.Connector, *carrierfake.Script, bool)
}

func serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

var cases = []connectorCase{
	{"ups", "1Z999AA10123456784", map[string]string{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret},
		func(t testing.TB, clk *carrierfake.Clock) (carrier.Connector, *carrierfake.Script, bool) {
			f := upsfake.New(clk.Now)
			return ups.New(ups.Options{BaseURL: serve(t, f), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)}), f.Script, true
		}},
	{"fedex", "123456789012", map[string]string{"client_id": fedexfake.ClientID, "client_secret": fedexfake.ClientSecret},
		func(t testing.TB, clk *carrierfake.Clock) (carrier.Connector, *carrierfake.Script, bool) {
			f := fedexfake.New(clk.Now)
			return fedex.New(fedex.Options{BaseURL: serve(t, f), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)}), f.Script, true
		}},
	{"usps", "9400109104250532908587", map[string]string{"client_id": uspsfake.ClientID, "client_secret": uspsfake.ClientSecret},
		func(t testing.TB, clk *carrierfake.Clock) (carrier.Connector, *carrierfake.Script, bool) {
			f := uspsfake.New(clk.Now)
			return usps.New(usps.Options{BaseURL: serve(t, f), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)}), f.Script, true
		}},
	{"dhl", "1234567890", map[string]string{"api_key": dhlfake.APIKey},
		func(t testing.TB, clk *carrierfake.Clock) (carrier.Connector, *carrierfake.Script, bool) {
			f := dhlfake.New(clk.Now)
			return dhl.New(dhl.Options{BaseURL: serve(t, f), Now: clk.Now}), f.Script, false
		}},
}

// TestEveryConnectorDrivesTheCoreToDelivered feeds each fake journey,
// poll by poll, through the core's status step (Tracking.Advance), as the
// poller does: the tracking must pass through the label, transit and
// out-for-delivery statuses to Delivered, with the carrier's estimate
// while on its way, and its signer and delivery date at the end.
func TestEveryConnectorDrivesTheCoreToDelivered(t *testing.T) {
	t.Parallel()
	for _, tc := range cases {
		t.Run(tc.slug, func(t *testing.T) {
			t.Parallel()
			clk := carrierfake.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
			conn, script, oauthCarrier := tc.start(t, clk)
			if _, ok := conn.(carrier.CredentialChecker); !ok {
				t.Error("the connector cannot check credentials")
			}
			if rl, ok := conn.(interface{ DefaultRate() (float64, int) }); !ok {
				t.Error("the connector has no DefaultRate")
			} else if per, burst := rl.DefaultRate(); per <= 0 || burst < 1 {
				t.Errorf("DefaultRate = %v, %d", per, burst)
			}
			tr := waybill.Tracking{Slug: tc.slug, TrackingNumber: tc.number, Tag: waybill.TagPending, Subtag: "Pending_001", Active: true}
			var seen []waybill.Tag
			for poll := 0; poll < script.Steps(); poll++ {
				res, err := conn.Fetch(context.Background(), carrier.FetchRequest{Slug: tc.slug, TrackingNumber: tc.number, Credentials: tc.creds})
				if err != nil {
					t.Fatalf("poll %d: %v", poll+1, err)
				}
				tr.Advance(res.News(), clk.Now(), 0)
				seen = append(seen, tr.Tag)
				if tr.Tag != waybill.TagDelivered && tr.ExpectedDelivery == "" {
					t.Errorf("poll %d: %s without an expected delivery", poll+1, tr.Tag)
				}
				clk.Add(5 * time.Minute) // well inside every carrier's token lifetime
			}
			want := []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagInTransit, waybill.TagInTransit,
				waybill.TagOutForDelivery, waybill.TagDelivered}
			for i := range want {
				if i >= len(seen) || seen[i] != want[i] {
					t.Fatalf("statuses %v, want %v", seen, want)
				}
			}
			if tr.Active || tr.SignedBy == "" || tr.ShipmentDeliveryDate == "" || tr.ShipmentPickupDate == "" || len(tr.Checkpoints) != len(want) {
				t.Errorf("delivered tracking: active %v, signed %q, delivered %q, picked up %q, %d checkpoints",
					tr.Active, tr.SignedBy, tr.ShipmentDeliveryDate, tr.ShipmentPickupDate, len(tr.Checkpoints))
			}
			if oauthCarrier && script.TokenRequests() != 1 {
				t.Errorf("token requests = %d, want 1", script.TokenRequests())
			}
		})
	}
}
