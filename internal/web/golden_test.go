package web_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// tokens matches page tokens, which differ between runs.
var tokens = regexp.MustCompile(`/t/[a-z2-7]{26}`)

// compareGolden checks got against testdata/name.golden.html, with page
// tokens replaced, or rewrites the file under -update.
func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	got = tokens.ReplaceAllString(got, "/t/<token>")
	path := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got); run with -update if the change is intended:\n%s", name, diff)
	}
}

// goldenStates are the trackings of the main page states.
var goldenStates = []struct {
	name string
	tr   waybill.Tracking
}{
	{"pending", waybill.Tracking{TrackingNumber: "1Z999AA10123456784"}},
	{"in_transit", waybill.Tracking{TrackingNumber: "1Z999AA10123456785", Tag: waybill.TagInTransit, Subtag: "InTransit_003",
		ExpectedDelivery: "2026-07-06", Checkpoints: []waybill.Checkpoint{
			cp(1, 10, waybill.TagInfoReceived, "InfoReceived_001", "Shipper created a label", "", ""),
			cp(2, 18, waybill.TagInTransit, "InTransit_002", "Origin scan", "Shenzhen", "CHN"),
			cp(3, 7, waybill.TagInTransit, "InTransit_003", "Arrived at facility", "Köln", "DEU"),
		}}},
	{"delivered", waybill.Tracking{TrackingNumber: "1Z999AA10123456786", Tag: waybill.TagDelivered, Subtag: "Delivered_005",
		Checkpoints: []waybill.Checkpoint{
			cp(2, 9, waybill.TagInTransit, "InTransit_002", "Origin scan", "Leeds", "GBR"),
			cp(3, 8, waybill.TagOutForDelivery, "OutForDelivery_001", "Out for delivery", "London", "GBR"),
			cp(3, 14, waybill.TagDelivered, "Delivered_005", "Delivered to neighbour at no. 223", "London", "GBR"),
		}}},
	{"exception", waybill.Tracking{TrackingNumber: "1Z999AA10123456787", Tag: waybill.TagException, Subtag: "Exception_007",
		Checkpoints: []waybill.Checkpoint{
			cp(2, 9, waybill.TagInTransit, "InTransit_002", "Origin scan", "Leeds", "GBR"),
			cp(3, 11, waybill.TagException, "Exception_007", "Address incomplete, contacting sender", "London", "GBR"),
		}}},
	{"expired", waybill.Tracking{TrackingNumber: "1Z999AA10123456788", Tag: waybill.TagExpired, Subtag: "Expired_001",
		Checkpoints: []waybill.Checkpoint{
			cp(1, 10, waybill.TagInfoReceived, "InfoReceived_001", "Shipper created a label", "", ""),
		}}},
}

// TestGoldenPages renders each main state from a stored tracking, on every
// engine, and compares the HTML with its golden file.
func TestGoldenPages(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newSite(t, engine)
			for _, tt := range goldenStates {
				tr := s.insert(customer(tt.tr))
				resp, body := s.get("/t/"+tr.PageToken, "Accept-Language", "en-GB,en;q=0.8")
				if resp.StatusCode != 200 {
					t.Fatalf("%s: status %d", tt.name, resp.StatusCode)
				}
				for _, p := range personal {
					if strings.Contains(body, p) {
						t.Errorf("%s: page shows personal data %q", tt.name, p)
					}
				}
				compareGolden(t, tt.name, body)
			}

			// Masked: the organization hides the courier and replaces
			// locations, with messages of its own.
			s.brand(waybill.BrandingPatch{DisplayName: sp("Acme Outdoor"), AccentColor: sp("#0A7F5A"),
				HideCourier: bp(true), CourierMessage: sp("Acme Express"),
				MaskLocations: bp(true), LocationMessage: sp("On its way to you"),
				SupportEmail: sp("help@acme.example"), SupportURL: sp("https://acme.example/help"), TimeZone: sp("Europe/London")})
			masked := goldenStates[1].tr
			masked.TrackingNumber = "1Z999AA10123456789"
			tr := s.insert(customer(masked))
			_, body := s.get("/t/"+tr.PageToken, "Accept-Language", "en")
			for _, hidden := range []string{"UPS", "ups.com", "Shenzhen", "Köln"} {
				if strings.Contains(body, hidden) {
					t.Errorf("masked page shows %q", hidden)
				}
			}
			compareGolden(t, "masked", body)
		})
	}
}
