package web

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
)

// The hand-written page renderer (appendPage) must write exactly what the
// templates write for the same view: the templates are its specification.
// Views are generated from bytes, so that the fuzzer can steer them and the
// normal run can draw them from a seeded generator.

// viewBytes hands out the bytes a view is generated from; past the end it
// gives zeros, so every input makes a view.
type viewBytes struct{ data []byte }

func (g *viewBytes) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	c := g.data[0]
	g.data = g.data[1:]
	return c
}

func (g *viewBytes) n(limit int) int { return int(g.byte()) % limit }

func (g *viewBytes) bool() bool { return g.byte()&1 == 1 }

// hostile are strings that each escaper must get right: markup, quotes,
// URL schemes (and their Unicode case folds), percent escapes, NUL,
// non-characters, right-to-left text and invalid UTF-8.
var hostile = []string{
	"", " ", `"`, "'", "<", ">", "&", "+", "&amp;", "\x00", "\r\n", "{{.}}",
	"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "' onmouseover='x",
	"javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "data:text/html,<b>x</b>", "vbscript:x",
	"https://example.com/a b?c=d&e=f+g#h", "http://x/%zz%41%4", "HTTPS://EXAMPLE.COM/", "HTTP://x", "Mailto:a@b", "mailto:a@b.example",
	"http\u017F://x", "\u212Aeep:x", "/t/abc", "//evil.example", "a:b/c", "/a:b", "#frag", "?q=1", "%", "%2F", "%2g",
	"Köln", "مرحبا بالعالم", "שלום", "\u202Eevil\u202C", "\u200F", "日本語", "🙂📦", "\ufdd0", "\uffff", "\ufffd",
	"\xff\xfe", "\xc3", "a\x00b", "\t", "line\nbreak", "[]!$*,;=@~", "100%", "#ZgotmplZ",
	"InTransit_002", "Delivered_001", "Exception_013", "Expired_001", "step", "current", "done",
	"https://cdn.acme.example/logo.png", "help@acme.example", "/assets/page.css?v=VMv7HNAP", "/assets/accent/0a7f5a.css",
	"2026-07-06", "2026-13-45", "1Z999AA10123456784",
}

var (
	tags     = []waybill.Tag{"", waybill.TagPending, waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagOutForDelivery, waybill.TagAttemptFail, waybill.TagDelivered, waybill.TagAvailableForPickup, waybill.TagException, waybill.TagExpired}
	states   = []portal.StepState{portal.StepDone, portal.StepCurrent, portal.StepTodo, portal.StepProblem}
	langs    = []string{"en", "de", "fr", "es", "xx", ""}
	zones    = []*time.Location{time.UTC, time.FixedZone("BST", 3600), time.FixedZone("", -5*3600-1800), time.FixedZone("", 14*3600)}
	minTime  = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	timeSpan = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - minTime
)

// str is a hostile string, a raw run of the input's bytes, or two of them
// joined.
func (g *viewBytes) str() string {
	switch g.n(8) {
	case 0:
		n := g.n(24)
		var b []byte
		for range n {
			b = append(b, g.byte())
		}
		return string(b)
	case 1:
		return g.str() + g.str()
	default:
		return hostile[g.n(len(hostile))]
	}
}

func (g *viewBytes) tag() waybill.Tag {
	if g.n(8) == 0 {
		return waybill.Tag(g.str())
	}
	return tags[g.n(len(tags))]
}

func (g *viewBytes) time() time.Time {
	var u [8]byte
	for i := range u {
		u[i] = g.byte()
	}
	sec := minTime + int64(binary.LittleEndian.Uint64(u[:])%uint64(timeSpan))
	return time.Unix(sec, 0).In(zones[g.n(len(zones))])
}

// view builds a shipments or error view; its fields need not be ones the
// handlers would build (any view must render the same both ways).
func (g *viewBytes) view() view {
	lang := langs[g.n(len(langs))]
	v := view{Kind: "shipments", Lang: lang, L: localizer{lang}, Title: g.str(), Message: g.str(), OrgName: g.str(),
		LogoURL: g.str(), SupportEmail: g.str(), SupportURL: g.str(), CSS: g.str(), AccentCSS: g.str(),
		PortalURL: g.str(), ReturnsOn: g.bool()}
	if g.n(8) == 0 {
		v.Kind = "error"
	}
	if g.bool() {
		v.Lang = g.str()
	}
	if g.bool() {
		o := &portal.Order{Number: g.str()}
		if g.bool() {
			o.Recipient = &portal.Recipient{Name: g.str()}
			for range g.n(4) {
				o.Recipient.Address = append(o.Recipient.Address, g.str())
			}
		}
		for range g.n(4) {
			o.Items = append(o.Items, portal.Item{Name: g.str(), Quantity: int(int8(g.byte()))})
		}
		v.Order = o
	}
	for range g.n(4) {
		v.Shipments = append(v.Shipments, g.shipment())
	}
	return v
}

func (g *viewBytes) shipment() portal.Shipment {
	s := portal.Shipment{Token: g.str(), TrackingNumber: g.str(), CourierName: g.str(), CourierURL: g.str(),
		CourierHidden: g.bool(), Tag: g.tag(), Subtag: g.str(), SubtagMessage: g.str(), ExpectedDelivery: g.str(),
		Destination: g.str()}
	if g.bool() {
		s.Subtag = string(s.Tag) + "_00" + string(rune('1'+g.n(9)))
	}
	if g.bool() {
		s.ExpectedDelivery = g.time().Format("2006-01-02")
	}
	for range g.n(6) {
		st := portal.Step{Tag: g.tag(), State: states[g.n(len(states))]}
		if g.n(8) == 0 {
			st.State = portal.StepState(g.str())
		}
		s.Steps = append(s.Steps, st)
	}
	n := g.n(6)
	if g.n(8) == 0 {
		n = 40 + g.n(40)
	}
	for range n {
		s.Checkpoints = append(s.Checkpoints, portal.Checkpoint{Time: g.time(), HasTime: g.n(4) != 0, Zoned: g.bool(),
			Raw: g.str(), Message: g.str(), Location: g.str(), Tag: g.tag()})
	}
	return s
}

// checkSameRender renders v with the templates and with appendPage and
// fails on any difference.
func checkSameRender(t *testing.T, v view) {
	t.Helper()
	var want bytes.Buffer
	if err := templates.ExecuteTemplate(&want, "layout", v); err != nil {
		t.Fatalf("template: %v", err)
	}
	got, ok := appendPage([]byte("prefix"), &v)
	if !ok {
		t.Fatalf("appendPage does not render kind %q", v.Kind)
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatal("appendPage overwrote what the buffer held")
	}
	if got = got[len("prefix"):]; !bytes.Equal(got, want.Bytes()) {
		w, g := want.String(), string(got)
		i := 0
		for i < len(w) && i < len(g) && w[i] == g[i] {
			i++
		}
		t.Fatalf("renders differ at byte %d:\ntemplate: %q\nappendPage: %q", i, tail(w, i), tail(g, i))
	}
}

func tail(s string, i int) string {
	s = s[max(0, i-80):]
	return s[:min(len(s), 200)]
}

// TestPageRenderMatchesTemplates renders thousands of generated views,
// every language among them, both ways.
func TestPageRenderMatchesTemplates(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 4))
	data := make([]byte, 4096)
	for i := range 3000 {
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		v := (&viewBytes{data}).view()
		checkSameRender(t, v)
		if t.Failed() {
			t.Fatalf("view %d", i)
		}
	}
}

// TestPageRenderFixedViews covers views the generator reaches only by
// chance: the real handlers' views in each language, an order with a
// recipient and items, and an empty one.
func TestPageRenderFixedViews(t *testing.T) {
	at := time.Date(2026, 7, 3, 6, 0, 0, 0, time.FixedZone("BST", 3600))
	for _, lang := range []string{"en", "de", "fr", "es"} {
		ship := portal.Shipment{Token: "abcdefghijklmnopqrstuvwxyz", TrackingNumber: "1Z999AA10123456784", CourierName: "UPS",
			CourierURL: "https://www.ups.com/track?tracknum=1Z999AA10123456784&loc=en_US", Tag: waybill.TagDelivered,
			Subtag: "Delivered_005", SubtagMessage: "Delivered to neighbour", ExpectedDelivery: "2026-07-06", Destination: "London, United Kingdom",
			Steps: []portal.Step{{Tag: waybill.TagInfoReceived, State: portal.StepDone}, {Tag: waybill.TagInTransit, State: portal.StepDone},
				{Tag: waybill.TagOutForDelivery, State: portal.StepDone}, {Tag: waybill.TagDelivered, State: portal.StepDone}},
			Checkpoints: []portal.Checkpoint{{Time: at, HasTime: true, Zoned: true, Message: "Delivered", Location: "London", Tag: waybill.TagDelivered},
				{Raw: "yesterday", Message: "Out for delivery", Tag: waybill.TagOutForDelivery}}}
		views := []view{
			{Kind: "shipments", Lang: lang, L: localizer{lang}, Title: "Order #1001 <b>", OrgName: "Acme d'Or", CSS: "/assets/page.css?v=x",
				AccentCSS: "/assets/accent/0a7f5a.css", LogoURL: "https://cdn.acme.example/logo.png", SupportEmail: "help+pages@acme.example",
				SupportURL: "https://acme.example/help?a=1&b=2", PortalURL: "/track/acme", ReturnsOn: true, Message: "Hello",
				Order: &portal.Order{Number: "1001", Proven: true, Items: []portal.Item{{Name: "Tent", Quantity: 2}},
					Recipient: &portal.Recipient{Name: "Ann", Address: []string{"1 Road", "NW1 London"}}},
				Shipments: []portal.Shipment{ship, ship}},
			{Kind: "shipments", Lang: lang, L: localizer{lang}, Title: "Your shipment", OrgName: "acme", Order: &portal.Order{Number: "1"}},
			{Kind: "error", Lang: lang, L: localizer{lang}, Title: localizer{lang}.T("page_not_found"), OrgName: "Waybill", CSS: "/assets/page.css"},
		}
		for _, v := range views {
			checkSameRender(t, v)
		}
	}
}

// FuzzPageRender lets the fuzzer steer the generated views:
//
//	go test ./internal/web -run '^$' -fuzz FuzzPageRender -fuzztime 5m
//
// The seed corpus is in testdata/fuzz/FuzzPageRender.
func FuzzPageRender(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte(strings.Repeat("\x01\x07\x13\x2a\xff", 200)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameRender(t, (&viewBytes{data}).view())
	})
}
