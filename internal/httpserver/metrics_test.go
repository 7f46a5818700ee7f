package httpserver

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestObserveCountsEachRouteAndStatus checks that the series kept per
// route and status count into the vectors' own series.
func TestObserveCountsEachRouteAndStatus(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg, Checks{})
	for _, o := range []struct {
		route string
		code  int
	}{{"GET /t/{token}", 200}, {"GET /t/{token}", 200}, {"GET /t/{token}", 404}, {"unmatched", 200}} {
		m.observe(o.route, o.code, time.Millisecond)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, s := range f.GetMetric() {
			key := f.GetName()
			for _, l := range s.GetLabel() {
				key += " " + l.GetValue()
			}
			if c := s.GetCounter(); c != nil {
				got[key] = c.GetValue()
			} else if h := s.GetHistogram(); h != nil {
				got[key] = float64(h.GetSampleCount())
			}
		}
	}
	want := map[string]float64{
		"waybill_http_requests_total 200 GET /t/{token}": 2, "waybill_http_requests_total 404 GET /t/{token}": 1,
		"waybill_http_requests_total 200 unmatched": 1, "waybill_http_request_duration_seconds 200 GET /t/{token}": 2,
		"waybill_http_request_duration_seconds 404 GET /t/{token}": 1, "waybill_http_request_duration_seconds 200 unmatched": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("series %v, want %v", got, want)
	}
}
