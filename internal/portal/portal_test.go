package portal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

type fixture struct {
	t     *testing.T
	st    *store.Store
	svc   *portal.Service
	org   waybill.Organization
	other waybill.Organization
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	st := testdb.Open(t, engine)
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	org, err := st.Write().CreateOrg(ctx, "acme", now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.Write().CreateOrg(ctx, "globex", now)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, svc: &portal.Service{Store: st, Now: func() time.Time { return now }}, org: org, other: other}
}

func (f *fixture) insert(orgID int64, tr waybill.Tracking) waybill.Tracking {
	f.t.Helper()
	tr.OrgID = orgID
	if tr.Slug == "" {
		tr.Slug = "ups"
	}
	if tr.Tag == "" {
		tr.Tag, tr.Subtag = waybill.TagPending, "Pending_001"
	}
	tr.CreatedAt = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	tr.UpdatedAt = tr.CreatedAt
	if err := f.st.Write().InsertTracking(context.Background(), &tr); err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { fn(t, newFixture(t, engine)) })
	}
}

func TestPageTokens(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456784"})
		b := f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456785"})
		for _, tr := range []waybill.Tracking{a, b} {
			if len(tr.PageToken) != 26 || tr.PageToken == tr.ID || tr.PageToken == tr.TrackingNumber {
				t.Errorf("page token %q: want 26 random characters, not the id or number", tr.PageToken)
			}
		}
		if a.PageToken == b.PageToken {
			t.Fatal("two trackings share a page token")
		}
		stored, err := f.st.Read().Tracking(ctx, f.org.ID, a.ID)
		if err != nil || stored.PageToken != a.PageToken {
			t.Fatalf("stored page token = %q, %v; want %q", stored.PageToken, err, a.PageToken)
		}
		p, err := f.svc.TrackingPage(ctx, a.PageToken)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Shipments) != 1 || p.Shipments[0].TrackingNumber != a.TrackingNumber || p.OrgName != "acme" {
			t.Fatalf("page = %+v", p)
		}
		for _, bad := range []string{"", "nope", a.ID, a.TrackingNumber, a.PageToken[:25] + "x", "../../etc/passwd"} {
			if _, err := f.svc.TrackingPage(ctx, bad); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("TrackingPage(%q) error = %v, want ENOTFOUND", bad, err)
			}
		}
	})
}

func TestOrderPageAndLookups(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		first := f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456784", OrderID: "ORD-1", OrderNumber: "#1001",
			CustomerName: "Ann Smithson", Emails: []string{"Ann@Example.com"}, Smses: []string{"+44 7700 900123"},
			DestinationPostalCode: "NW1 6XE", DestinationCity: "London", DestinationRawLocation: "221B Baker Street"})
		second := f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456785", OrderID: "ORD-1", OrderNumber: "#1001"})
		f.insert(f.org.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456786", OrderID: "ORD-2", OrderNumber: "#1002"})
		// Another organization's order with the same number stays apart.
		f.insert(f.other.ID, waybill.Tracking{TrackingNumber: "1Z999AA10123456787", OrderID: "ORD-1", OrderNumber: "#1001",
			Emails: []string{"ann@example.com"}})

		p, err := f.svc.OrderPage(ctx, second.PageToken)
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(p); !cmp.Equal(got, []string{second.TrackingNumber, first.TrackingNumber}) {
			t.Errorf("order page shipments = %v, want the token's own first, then its sibling", got)
		}
		if p.Order == nil || p.Order.Number != "#1001" || p.Order.Proven || p.Order.Recipient != nil {
			t.Errorf("order page order = %+v, want #1001 unproven without recipient", p.Order)
		}

		p, err = f.svc.LookupNumber(ctx, f.org.ID, " 1z999aa1 0123456784 ")
		if err != nil || !cmp.Equal(numbers(p), []string{first.TrackingNumber}) || p.Order != nil {
			t.Fatalf("LookupNumber = %v, %v", numbers(p), err)
		}
		if _, err := f.svc.LookupNumber(ctx, f.other.ID, first.TrackingNumber); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("another organization's lookup found acme's tracking: %v", err)
		}

		for _, proof := range []string{"ann@example.com", " ANN@EXAMPLE.COM", "07700 900123", "+447700900123", "nw16xe", "NW1 6XE"} {
			p, err := f.svc.LookupOrder(ctx, f.org.ID, "#1001", proof)
			if err != nil {
				t.Errorf("LookupOrder(#1001, %q): %v", proof, err)
				continue
			}
			if !cmp.Equal(numbers(p), []string{first.TrackingNumber, second.TrackingNumber}) || p.Order == nil || !p.Order.Proven {
				t.Errorf("LookupOrder(#1001, %q) = %v %+v", proof, numbers(p), p.Order)
			}
			if r := p.Order.Recipient; r == nil || r.Name != "Ann Smithson" {
				t.Errorf("LookupOrder(#1001, %q) recipient = %+v", proof, r)
			}
		}
		if _, err := f.svc.LookupOrder(ctx, f.org.ID, "ORD-1", "ann@example.com"); err != nil {
			t.Errorf("lookup by order id: %v", err)
		}
		var messages []string
		for _, pair := range [][2]string{{"#1001", "bob@example.com"}, {"#9999", "ann@example.com"}, {"#1001", ""},
			{"#1002", "ann@example.com"}, {"#1001", "NW1"}, {"#1001", "900"}} {
			_, err := f.svc.LookupOrder(ctx, f.org.ID, pair[0], pair[1])
			if waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("LookupOrder(%q, %q) error = %v, want ENOTFOUND", pair[0], pair[1], err)
			}
			messages = append(messages, waybill.ErrorMessage(err))
		}
		for _, m := range messages[1:] {
			if m != messages[0] {
				t.Errorf("wrong pairs answer differently: %q vs %q", m, messages[0])
			}
		}

		// The form: a tracking number wins; an order needs its proof; a
		// form that asks nothing, or a field longer than any real one, is
		// EINVALID before any lookup.
		p, err = f.svc.Lookup(ctx, f.org.ID, portal.LookupForm{TrackingNumber: first.TrackingNumber, OrderNumber: "#9999"})
		if err != nil || !cmp.Equal(numbers(p), []string{first.TrackingNumber}) || p.Order != nil {
			t.Errorf("Lookup by number = %v, %v", numbers(p), err)
		}
		p, err = f.svc.Lookup(ctx, f.org.ID, portal.LookupForm{OrderNumber: "#1001", Verify: "ann@example.com"})
		if err != nil || p.Order == nil || !p.Order.Proven {
			t.Errorf("Lookup by order = %+v, %v", p.Order, err)
		}
		for _, bad := range []portal.LookupForm{{}, {OrderNumber: "#1001"}, {Verify: "ann@example.com"},
			{TrackingNumber: strings.Repeat("1", portal.MaxLookupNumberLen+1)},
			{OrderNumber: strings.Repeat("#", portal.MaxOrderNumberLen+1), Verify: "ann@example.com"},
			{OrderNumber: "#1001", Verify: strings.Repeat("a", portal.MaxVerifyLen+1)}} {
			if _, err := f.svc.Lookup(ctx, f.org.ID, bad); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("Lookup(%.40q…) error = %v, want EINVALID", fmt.Sprint(bad), err)
			}
		}
	})
}

func numbers(p portal.Page) []string {
	var out []string
	for _, s := range p.Shipments {
		out = append(out, s.TrackingNumber)
	}
	return out
}

func TestBranding(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if b, err := f.svc.Branding(ctx, f.org.ID); err != nil || b != (waybill.Branding{}) {
			t.Fatalf("unset branding = %+v, %v", b, err)
		}
		str := func(s string) *string { return &s }
		b, err := f.svc.UpdateBranding(ctx, f.org.ID, waybill.BrandingPatch{DisplayName: str(" Acme Outdoor "),
			AccentColor: str("#0a7f5a"), CustomHost: str("Track.Acme.Example"), Language: str("de"), TimeZone: str("Europe/Berlin")})
		if err != nil {
			t.Fatal(err)
		}
		if b.DisplayName != "Acme Outdoor" || b.CustomHost != "track.acme.example" || b.Language != "de" {
			t.Errorf("branding = %+v", b)
		}
		p, err := f.svc.PortalByHost(ctx, "TRACK.acme.example:8443")
		if err != nil || p.OrgID != f.org.ID || p.OrgName != "Acme Outdoor" {
			t.Errorf("PortalByHost = %+v, %v", p, err)
		}
		if _, err := f.svc.PortalByHost(ctx, "other.example"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("unknown host: %v", err)
		}
		if _, err := f.svc.UpdateBranding(ctx, f.other.ID, waybill.BrandingPatch{CustomHost: str("track.acme.example")}); waybill.ErrorCode(err) != waybill.ECONFLICT {
			t.Errorf("taken custom host: %v, want ECONFLICT", err)
		}
		for _, bad := range []waybill.BrandingPatch{
			{AccentColor: str("red")}, {LogoURL: str("http://acme.example/logo.png")}, {LogoURL: str("javascript:alert(1)")},
			{SupportEmail: str("Acme <help@acme.example>")}, {SupportURL: str("javascript:alert(1)")}, {Language: str("it")},
			{TimeZone: str("Mars/Olympus")}, {CustomHost: str("http://x.example")}, {CustomHost: str("localhost")},
		} {
			if _, err := f.svc.UpdateBranding(ctx, f.org.ID, bad); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("UpdateBranding(%+v) error = %v, want EINVALID", bad, err)
			}
		}
		after, err := f.svc.Branding(ctx, f.org.ID)
		if err != nil || after.DisplayName != "Acme Outdoor" || after.AccentColor != "#0a7f5a" {
			t.Errorf("a rejected change altered the branding: %+v, %v", after, err)
		}
		// Clearing the host frees it for another organization.
		if _, err := f.svc.UpdateBranding(ctx, f.org.ID, waybill.BrandingPatch{CustomHost: str("")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateBranding(ctx, f.other.ID, waybill.BrandingPatch{CustomHost: str("track.acme.example")}); err != nil {
			t.Errorf("freed custom host: %v", err)
		}
	})
}
