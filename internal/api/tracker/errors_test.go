package tracker_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/tracker"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/trackers"
)

// seedRequest returns the seed's example request as a map, with changes.
func seedRequest(t *testing.T, change func(map[string]any)) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, "seed_request.json"), &m); err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(m)
	}
	return m
}

// wantError checks an error body: its type, severity, and the fields of
// its entries (in any order; nil skips the check).
func wantError(t *testing.T, what string, code int, body map[string]any, wantCode int, wantType, wantSeverity string, wantFields []string) {
	t.Helper()
	if code != wantCode || body["type"] != wantType || body["severity"] != wantSeverity {
		t.Errorf("%s = %d %v, want %d %s %s", what, code, body, wantCode, wantType, wantSeverity)
		return
	}
	if msg, _ := body["message"].(string); msg == "" {
		t.Errorf("%s: no message: %v", what, body)
	}
	entries, _ := body["errors"].([]any)
	if len(entries) == 0 {
		t.Errorf("%s: no errors[]: %v", what, body)
		return
	}
	var fields []string
	for _, e := range entries {
		m := e.(map[string]any)
		if m["type"] != wantType || m["message"] == "" {
			t.Errorf("%s: entry %v, want type %s and a message", what, m, wantType)
		}
		if f, ok := m["field"].(string); ok {
			fields = append(fields, f)
		}
	}
	if wantFields != nil {
		slices.Sort(fields)
		want := slices.Sorted(slices.Values(wantFields))
		if !slices.Equal(fields, want) {
			t.Errorf("%s: fields %v, want one entry for each of %v", what, fields, want)
		}
	}
}

// TestErrorTypes walks every error type the create answers with, its HTTP
// status and severity, on both engines; none writes a tracker.
func TestErrorTypes(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			s := newStack(t, engine, "trackers_business", nil)
			s.configure("Self Delivery", "sandbox")
			good := seedRequest(t, nil)
			headers := func(key, tenant string) map[string]string {
				h := map[string]string{}
				if key != "" {
					h["x-api-key"] = key
				}
				if tenant != "" {
					h["tenantId"] = tenant
				}
				return h
			}
			for name, h := range map[string]map[string]string{
				"no key":           headers("", s.Org.Name),
				"wrong key":        headers("wb_nope", s.Org.Name),
				"no tenant":        headers(s.Key, ""),
				"another tenant":   headers(s.Key, s.Org.Name+"-other"),
				"another's key":    headers(s.Other.Key, s.Org.Name),
				"tenant id, wrong": headers(s.Key, strconv.FormatInt(s.Org.ID+1, 10)),
			} {
				code, raw := s.do("POST", "/api/v2/tracker", good, h)
				var body map[string]any
				_ = json.Unmarshal(raw, &body)
				wantError(t, name, code, body, http.StatusUnauthorized, "UNAUTHORIZED", "hard", nil)
			}
			// The organization's id is a tenantId as good as its name.
			if code, raw := s.do("GET", "/api/v2/tracker", nil, headers(s.Key, strconv.FormatInt(s.Org.ID, 10))); code != http.StatusOK {
				t.Errorf("tenantId as the id = %d %s", code, raw)
			}

			code, body := s.tracker("POST", "/api/v2/tracker", map[string]any{})
			wantError(t, "empty body", code, body, http.StatusBadRequest, "MISSING_TRACKER_DATA", "hard",
				[]string{"provider", "trackingId", "trackerExternalId", "locationExternalId", "deliveryAddress"})
			code, body = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) { delete(m, "deliveryAddress") }))
			wantError(t, "delivery without address", code, body, http.StatusBadRequest, "MISSING_TRACKER_DATA", "hard", []string{"deliveryAddress"})
			code, body = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
				delete(m, "deliveryAddress")
				m["type"] = "pickup"
				m["trackerExternalId"], m["trackingId"] = "t-pickup", "del_005"
			}))
			if code != http.StatusCreated {
				t.Errorf("a pickup tracker needs no delivery address: %d %v", code, body)
			}
			code, body = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
				m["trackerExternalId"] = "t-addr"
				m["deliveryAddress"] = map[string]any{"street2": "x"}
			}))
			wantError(t, "address without street, city, country", code, body, http.StatusBadRequest, "MISSING_TRACKER_DATA", "hard",
				[]string{"deliveryAddress.street1", "deliveryAddress.city", "deliveryAddress.countryCode"})
			code, body = s.tracker("POST", "/api/v2/tracker", "{not json")
			wantError(t, "not JSON", code, body, http.StatusBadRequest, "MISSING_TRACKER_DATA", "hard", nil)

			for name, change := range map[string]func(map[string]any){
				"provider not configured": func(m map[string]any) { m["provider"] = "Postmates" },
				"unknown location":        func(m map[string]any) { m["locationExternalId"] = "Postmates_Store" },
				"overlong trackingId":     func(m map[string]any) { m["trackingId"] = strings.Repeat("1", 101) },
				"bad country":             func(m map[string]any) { m["deliveryAddress"].(map[string]any)["countryCode"] = "Atlantis" },
				"window backwards": func(m map[string]any) {
					m["deliveryTime"] = map[string]any{"startsAt": 1649268000001, "endsAt": 1649268000000}
				},
				"window before 1970":  func(m map[string]any) { m["pickupTime"] = map[string]any{"startsAt": -5} },
				"wrong JSON type":     func(m map[string]any) { m["orderValue"] = "a hundred" },
				"negative value":      func(m map[string]any) { m["orderValue"] = -1 },
				"unknown type":        func(m map[string]any) { m["type"] = "teleport" },
				"NUL in instructions": func(m map[string]any) { m["deliveryInstructions"] = "ring\x00" },
				"bad email":           func(m map[string]any) { m["deliveryContact"].(map[string]any)["email"] = "not an email" },
			} {
				code, body := s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
					m["trackerExternalId"] = "invalid-" + name
					change(m)
				}))
				wantError(t, name, code, body, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", nil)
				if fields := body["errors"].([]any); len(fields) == 0 || fields[0].(map[string]any)["field"] == nil {
					t.Errorf("%s: the entry names no field: %v", name, body)
				}
			}

			// The same trackerExternalId with different content.
			if code, body := s.tracker("POST", "/api/v2/tracker", good); code != http.StatusCreated {
				t.Fatalf("create = %d %v", code, body)
			}
			code, body = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) { m["orderValue"] = 101 }))
			wantError(t, "same id, other content", code, body, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", []string{"trackerExternalId"})
			// The same tracking number for another tracker of the business.
			code, body = s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) { m["trackerExternalId"] = "tracker002" }))
			wantError(t, "number of another tracker", code, body, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", []string{"trackingId"})

			code, body = s.tracker("GET", "/api/v2/tracker/nope", nil)
			wantError(t, "unknown tracker", code, body, http.StatusNotFound, "NOT_FOUND", "hard", nil)

			// Only the trackers made above exist: no error left one behind.
			code, list := s.tracker("GET", "/api/v2/tracker", nil)
			if code != http.StatusOK || list["total"] != float64(2) {
				t.Errorf("list after the errors = %d %v, want the pickup tracker and tracker001", code, list)
			}
			// A list that gives no limit says which it used.
			if list["limit"] != float64(waybill.DefaultTrackerPage) || list["offset"] != float64(0) {
				t.Errorf("list page = limit %v offset %v, want %d and 0", list["limit"], list["offset"], waybill.DefaultTrackerPage)
			}
		})
	}
}

// failing is a tracker core that fails as a real fault would, or panics.
type failing struct {
	trackers.Service
	panics bool
}

func (f *failing) Create(context.Context, int64, waybill.TrackerInput) (trackers.View, error) {
	if f.panics {
		panic("boom")
	}
	return trackers.View{}, fmt.Errorf("database is on fire: %w", errors.New("secret detail"))
}

type oneOrg struct{ org waybill.Organization }

func (o oneOrg) Authenticate(_ context.Context, key string) (waybill.Organization, error) {
	if key != "good" {
		return waybill.Organization{}, waybill.Errorf(waybill.EUNAUTHORIZED, "no")
	}
	return o.org, nil
}

// TestInternalErrorIsTransient: a fault (an error the core does not name,
// or a panic) is 500 INTERNAL_SERVER_ERROR, transient, with no details;
// a client past its failed-authentication budget is 429, transient.
func TestInternalErrorIsTransient(t *testing.T) {
	for _, panics := range []bool{false, true} {
		face := &tracker.API{Trackers: &failing{panics: panics}, Auth: oneOrg{waybill.Organization{ID: 1, Name: "acme"}}, MaxBodyBytes: 1 << 20,
			Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)), AuthThrottle: httpserver.NewAuthThrottle(1, nil)}
		srv := httptest.NewServer(openapitest.New(t, "tracker").Handler(t,
			httpserver.New("127.0.0.1:0", slog.New(slog.NewTextHandler(testWriter{t}, nil)), httpserver.Checks{}, face).Handler()))
		s := &stack{t: t, URL: srv.URL}
		code, raw := s.do("POST", "/api/v2/tracker", readFile(t, "seed_request.json"), map[string]string{"x-api-key": "good", "tenantId": "acme"})
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		wantError(t, fmt.Sprintf("fault (panic %v)", panics), code, body, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "transient", nil)
		if strings.Contains(string(raw), "fire") || strings.Contains(string(raw), "secret") || strings.Contains(string(raw), "boom") {
			t.Errorf("the 500 shows the fault's details: %s", raw)
		}
		if !panics {
			for range 2 {
				code, raw = s.do("GET", "/api/v2/tracker", nil, map[string]string{"x-api-key": "bad", "tenantId": "acme"})
			}
			_ = json.Unmarshal(raw, &body)
			wantError(t, "past the auth budget", code, body, http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "transient", nil)
		}
		srv.Close()
	}
}

// TestListFilters lists by group, status, provider and creation time, and
// pages.
func TestListFilters(t *testing.T) {
	s := newStack(t, testdb.Engines()[0], "trackers_business", nil)
	// Status filters below expect no scan yet: a journey of one scan an
	// hour keeps every tracker before its first scan however slow the run.
	s.Trackings.Carriers.Register(carrier.SandboxSlug, carrier.NewSandbox(time.Hour))
	s.configure("Self Delivery", "sandbox")
	if code, b := s.admin("POST", "/v1/providers", map[string]any{"name": "UPS", "slug": "ups"}); code != http.StatusCreated {
		t.Fatal(code, b)
	}
	for i, p := range []struct{ provider, group string }{{"Self Delivery", "g1"}, {"Self Delivery", "g1"}, {"UPS", ""}} {
		code, b := s.tracker("POST", "/api/v2/tracker", seedRequest(t, func(m map[string]any) {
			m["trackerExternalId"] = fmt.Sprintf("t%d", i)
			m["trackingId"] = fmt.Sprintf("SBXDELIVERED%d", i)
			m["provider"] = p.provider
			if p.group != "" {
				m["groupId"] = p.group
			}
		}))
		if code != http.StatusCreated {
			t.Fatal(code, b)
		}
	}
	ids := func(query string) []string {
		code, b := s.tracker("GET", "/api/v2/tracker"+query, nil)
		if code != http.StatusOK {
			t.Fatalf("list %s = %d %v", query, code, b)
		}
		var out []string
		for _, tr := range b["trackers"].([]any) {
			out = append(out, tr.(map[string]any)["trackerExternalId"].(string))
		}
		return out
	}
	for query, want := range map[string][]string{
		"":                           {"t2", "t1", "t0"},
		"?groupId=g1":                {"t1", "t0"},
		"?provider=UPS":              {"t2"},
		"?status=ORDER_DISPATCHED":   {"t2", "t1", "t0"},
		"?status=ORDER_DELIVERED":    nil,
		"?limit=1&offset=1":          {"t1"},
		"?createdFrom=4102444800000": nil, // 2100
		"?createdTo=4102444800000":   {"t2", "t1", "t0"},
	} {
		if got := ids(query); !slices.Equal(got, want) {
			t.Errorf("list %q = %v, want %v", query, got, want)
		}
	}
	// The group's trackers share one link: the group's order page.
	_, t0 := s.tracker("GET", "/api/v2/tracker/t0", nil)
	_, t1 := s.tracker("GET", "/api/v2/tracker/t1", nil)
	_, t2 := s.tracker("GET", "/api/v2/tracker/t2", nil)
	u0, u1, u2 := t0["referenceLinks"].(map[string]any)["trackingUrl"], t1["referenceLinks"].(map[string]any)["trackingUrl"], t2["referenceLinks"].(map[string]any)["trackingUrl"]
	if u0 != u1 || !strings.HasSuffix(u0.(string), "/order") || u2 == u0 || strings.HasSuffix(u2.(string), "/order") {
		t.Errorf("trackingUrls %v %v (group g1) and %v (no group): want the group's shared order page", u0, u1, u2)
	}
	for _, query := range []string{"?limit=0", "?limit=x", "?offset=-1", "?status=LOST", "?createdFrom=-1", "?groupId=%00"} {
		code, b := s.tracker("GET", "/api/v2/tracker"+query, nil)
		wantError(t, "list "+query, code, b, http.StatusUnprocessableEntity, "INVALID_TRACKER_DATA", "hard", nil)
	}
}
