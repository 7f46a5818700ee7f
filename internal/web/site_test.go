package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/web"
)

// site is the web face over a real database with one organization, "acme".
type site struct {
	t     *testing.T
	st    *store.Store
	org   waybill.Organization
	pages *portal.Service
	URL   string
}

func newSite(t *testing.T, engine string) *site {
	t.Helper()
	st := testdb.Open(t, engine)
	org, err := st.Write().CreateOrg(context.Background(), "acme", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	pages := &portal.Service{Store: st}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	(&web.Web{Pages: pages, Logger: logger, Lookups: httpserver.NewClientLimits(rate.Every(time.Minute), 5)}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{t: t, st: st, org: org, pages: pages, URL: srv.URL}
}

// insert stores a tracking of acme as the core would have left it.
func (s *site) insert(tr waybill.Tracking) waybill.Tracking {
	s.t.Helper()
	tr.OrgID = s.org.ID
	if tr.Slug == "" {
		tr.Slug = "ups"
	}
	if tr.Tag == "" {
		tr.Tag, tr.Subtag = waybill.TagPending, "Pending_001"
	}
	tr.Active = !tr.Tag.Terminal()
	tr.CreatedAt = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	tr.UpdatedAt = tr.CreatedAt
	if err := s.st.Write().InsertTracking(context.Background(), &tr); err != nil {
		s.t.Fatal(err)
	}
	return tr
}

func (s *site) brand(p waybill.BrandingPatch) {
	s.t.Helper()
	if _, err := s.pages.UpdateBranding(context.Background(), s.org.ID, p); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) get(path string, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(req)
}

func (s *site) post(path string, form url.Values) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

func (s *site) do(req *http.Request) (*http.Response, string) {
	s.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(b)
}

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }

// cp is a checkpoint at an hour of 2026-07-0{day} in UTC+2.
func cp(day, hour int, tag waybill.Tag, subtag, msg, city, country string) waybill.Checkpoint {
	return waybill.Checkpoint{Slug: "ups", CheckpointTime: time.Date(2026, 7, day, hour, 0, 0, 0, time.FixedZone("", 2*3600)).Format(time.RFC3339),
		Tag: tag, Subtag: subtag, Message: msg, City: city, CountryISO3: country,
		CreatedAt: time.Date(2026, 7, day, hour, 5, 0, 0, time.UTC)}
}

// customer is the personal data every test tracking carries and no page
// without proof may show.
func customer(tr waybill.Tracking) waybill.Tracking {
	tr.CustomerName = "Ann Smithson"
	tr.Emails = []string{"ann.smithson@example.com"}
	tr.Smses = []string{"+447700900123"}
	tr.DestinationRawLocation = "221B Baker Street, London NW1 6XE"
	tr.DestinationPostalCode = "NW1 6XE"
	tr.DestinationCity = "London"
	tr.DestinationCountryISO3 = "GBR"
	return tr
}

// personal lists the stored personal data a page must not show.
var personal = []string{"Ann Smithson", "ann.smithson@example.com", "+447700900123", "7700900123", "Baker Street", "221B"}
