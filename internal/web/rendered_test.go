package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestKeptPagesFollowTheData views token pages again and again around
// changes: a page kept from an earlier view is served only while the read
// returns the same data, in the language the request asks for, and every
// committed change (a scan, branding, another shipment of the order) shows
// at the next view.
func TestKeptPagesFollowTheData(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			tr := goldenStates[1].tr
			tr.OrderID, tr.OrderNumber = "O-7", "#7"
			tr = s.insert(customer(tr))
			path := "/t/" + tr.PageToken

			view := func(path, accept string) (*http.Response, string) {
				t.Helper()
				resp, body := s.get(path, "Accept-Language", accept)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d", path, resp.StatusCode)
				}
				for _, p := range personal {
					if strings.Contains(body, p) {
						t.Errorf("%s shows %q", path, p)
					}
				}
				return resp, body
			}
			resp1, en1 := view(path, "en")
			resp2, en2 := view(path, "en")
			if en1 != en2 || resp1.Header.Get("ETag") != resp2.Header.Get("ETag") || resp1.Header.Get("Content-Security-Policy") != resp2.Header.Get("Content-Security-Policy") {
				t.Error("a second view of unchanged data differs")
			}
			if resp2.Header.Get("Content-Length") == "" || resp2.Header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("headers of a kept page: %v", resp2.Header)
			}
			if _, de := view(path, "de"); !strings.Contains(de, `<html lang="de">`) {
				t.Error("German was asked for after an English view and not given")
			}
			if _, en := view(path, "en"); en != en1 {
				t.Error("English after German differs from the first English view")
			}

			// A scan committed after the views shows at the next one.
			tr.Checkpoints = append(tr.Checkpoints, cp(4, 8, waybill.TagOutForDelivery, "OutForDelivery_001", "With driver", "London", "GBR"))
			tr.Tag, tr.Subtag = waybill.TagOutForDelivery, "OutForDelivery_001"
			if err := s.st.Write().UpdateTracking(context.Background(), &tr); err != nil {
				t.Fatal(err)
			}
			if _, body := view(path, "en"); !strings.Contains(body, "With driver") {
				t.Error("a committed scan did not show at the next view")
			}
			if _, body := view(path, "de"); !strings.Contains(body, "With driver") {
				t.Error("a committed scan did not show at the next German view")
			}

			// New branding.
			s.brand(waybill.BrandingPatch{DisplayName: sp("Acme Outdoor"), LogoURL: sp("https://cdn.acme.example/logo.png")})
			resp, body := view(path, "en")
			if !strings.Contains(body, `alt="Acme Outdoor"`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "https://cdn.acme.example") {
				t.Error("new branding did not show at the next view")
			}
			view(path, "en")

			// The order's page, then another shipment of the order.
			if _, body := view(path+"/order", "en"); !strings.Contains(body, "#7") {
				t.Error("the order's page lacks the order number")
			}
			sibling := goldenStates[2].tr
			sibling.OrderID = "O-7"
			sibling = s.insert(sibling)
			if _, body := view(path+"/order", "en"); !strings.Contains(body, sibling.TrackingNumber) {
				t.Error("a new shipment of the order did not show on the order's page")
			}
			if _, body := view(path, "en"); strings.Contains(body, sibling.TrackingNumber) {
				t.Error("the tracking's own page shows another shipment")
			}
		})
	}
}
