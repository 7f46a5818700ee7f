package waybill_test

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
)

func ptr[T any](v T) *T { return &v }

func TestValidDate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"2026-07-01", true},
		{"2026-07-01T09:30", true},
		{"2026-07-01T09:30:00", true},
		{"2026-07-01T09:30:00Z", true},
		{"2026-07-01T09:30:00.123456Z", true},
		{"2026-07-01T09:30:00+02:00", true},
		{"2026-07-01T09:30:00+0200", true},
		{"2026-07-01 09:30:00", true},
		{"2024-02-29", true},
		{"2026-02-29", false},
		{"2026-02-30T99:99:99Z", false},
		{"2026-02-03T24:00:00Z", false},
		{"2026-13-01", false},
		{"0000-00-00", false},
		{"0001-01-01", false},
		{"9999-12-31", false},
		{"26-07-01", false},
		{"2026-07-01T09:30:00+25:00", false},
		{"yesterday", false},
		{"", false},
	} {
		if got := waybill.ValidDate(tt.in); got != tt.want {
			t.Errorf("ValidDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeCountry(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"GB", "GBR", true}, {"gb", "GBR", true}, {" gbr ", "GBR", true}, {"USA", "USA", true},
		{"ZZ", "", false}, {"ZZZ", "", false}, {"", "", false}, {"United Kingdom", "", false}, {"G\x00", "", false},
	} {
		got, ok := waybill.NormalizeCountry(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeCountry(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTrackingFieldsValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    waybill.TrackingFields
		ok   bool
	}{
		{"empty", waybill.TrackingFields{}, true},
		{"invalid UTF-8", waybill.TrackingFields{Title: ptr("caf\xe9")}, false},
		{"NUL", waybill.TrackingFields{OrderID: ptr("a\x00")}, false},
		{"DEL", waybill.TrackingFields{Title: ptr("a\x7f")}, false},
		{"newline in a line", waybill.TrackingFields{CustomerName: ptr("Ann\nSmith")}, false},
		{"newline in free text", waybill.TrackingFields{Note: ptr("line 1\r\nline 2\tend")}, true},
		{"unicode text", waybill.TrackingFields{Title: ptr("Blaue Schuhe für Zoë 👟")}, true},
		{"too long", waybill.TrackingFields{OrderNumber: ptr(strings.Repeat("x", waybill.MaxTextLen+1))}, false},
		{"ISO3 not in the table", waybill.TrackingFields{OriginCountryISO3: ptr("ZZZ")}, false},
		{"country cleared", waybill.TrackingFields{OriginCountryISO3: ptr("")}, true},
		{"delivery type", waybill.TrackingFields{DeliveryType: ptr("pickup_at_courier")}, true},
		{"delivery type unknown", waybill.TrackingFields{DeliveryType: ptr("teleport")}, false},
		{"too many tags", waybill.TrackingFields{ShipmentTags: ptr(make([]string, waybill.MaxShipmentTags+1))}, false},
		{"tag with NUL", waybill.TrackingFields{ShipmentTags: ptr([]string{"a\x00"})}, false},
		{"courier field with NUL", waybill.TrackingFields{CourierFields: &waybill.CourierFields{PostalCode: "\x00"}}, false},
		{"negative weight", waybill.TrackingFields{ShipmentWeight: ptr(-1.0)}, false},
		{"real order date", waybill.TrackingFields{OrderDate: ptr("2026-07-01T09:30:00Z")}, true},
		{"unreal order date", waybill.TrackingFields{OrderDate: ptr("2026-02-30")}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tt.ok)
			}
			if err != nil && waybill.ErrorReason(err) != waybill.ReasonFieldInvalid {
				t.Errorf("reason %q, want %q", waybill.ErrorReason(err), waybill.ReasonFieldInvalid)
			}
		})
	}
}

// TestTrackingFieldsNormalize: Validate leaves values in the form the core
// keeps, without writing through the caller's pointers.
func TestTrackingFieldsNormalize(t *testing.T) {
	origin, dir := "gb", "forward"
	f := waybill.TrackingFields{OriginCountryISO3: &origin, ShipmentDirection: &dir}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if *f.OriginCountryISO3 != "GBR" || *f.ShipmentDirection != waybill.DirectionOutbound {
		t.Errorf("normalized to %q, %q; want GBR, outbound", *f.OriginCountryISO3, *f.ShipmentDirection)
	}
	if origin != "gb" || dir != "forward" {
		t.Errorf("the caller's values changed to %q, %q", origin, dir)
	}
}

func TestCreateTrackingInputValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		in     waybill.CreateTrackingInput
		reason string
	}{
		{"ok", waybill.CreateTrackingInput{TrackingNumber: "1Z999AA10123456784", Slug: "ups"}, ""},
		{"no number", waybill.CreateTrackingInput{TrackingNumber: "  "}, waybill.ReasonNumberRequired},
		{"number with NUL", waybill.CreateTrackingInput{TrackingNumber: "1Z\x00"}, waybill.ReasonNumberInvalid},
		{"slug with NUL", waybill.CreateTrackingInput{TrackingNumber: "1", Slug: "ups\x00"}, waybill.ReasonSlugInvalid},
		{"too many candidates", waybill.CreateTrackingInput{TrackingNumber: "1", Candidates: make([]string, waybill.MaxCandidates+1)}, waybill.ReasonSlugInvalid},
		{"bad field", waybill.CreateTrackingInput{TrackingNumber: "1", Fields: waybill.TrackingFields{Title: ptr("\x00")}}, waybill.ReasonFieldInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if got := waybill.ErrorReason(err); got != tt.reason || (err == nil) != (tt.reason == "") {
				t.Errorf("Validate() = %v, want reason %q", err, tt.reason)
			}
		})
	}
}

func TestTrackingFilterValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    waybill.TrackingFilter
		ok   bool
	}{
		{"minimal", waybill.TrackingFilter{Limit: 1}, true},
		{"no limit", waybill.TrackingFilter{}, false},
		{"limit too large", waybill.TrackingFilter{Limit: waybill.MaxPageSize + 1}, false},
		{"negative offset", waybill.TrackingFilter{Limit: 1, Offset: -1}, false},
		{"keyword with NUL", waybill.TrackingFilter{Limit: 1, Keyword: "a\x00"}, false},
		{"keyword too long", waybill.TrackingFilter{Limit: 1, Keyword: strings.Repeat("k", waybill.MaxKeywordLen+1)}, false},
		{"bad tag", waybill.TrackingFilter{Limit: 1, Tags: []string{"Lost"}}, false},
		{"countries", waybill.TrackingFilter{Limit: 1, Origins: []string{"gb", "USA"}}, true},
		{"bad country", waybill.TrackingFilter{Limit: 1, Destinations: []string{"XX"}}, false},
		{"too many numbers", waybill.TrackingFilter{Limit: 1, TrackingNumbers: make([]string, waybill.MaxFilterValues+1)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	origins := []string{"gb"}
	f := waybill.TrackingFilter{Limit: 1, Origins: origins}
	if err := f.Validate(); err != nil || f.Origins[0] != "GBR" || origins[0] != "gb" {
		t.Errorf("Validate normalized to %v (caller's %v), err %v", f.Origins, origins, err)
	}
}
