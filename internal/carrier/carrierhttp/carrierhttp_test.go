package carrierhttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0}, {"30", 30 * time.Second}, {"-1", 0}, {"abc", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		if got := carrierhttp.RetryAfter(h, now); got != tt.want {
			t.Errorf("Retry-After %q = %s, want %s", tt.header, got, tt.want)
		}
	}
	if got := carrierhttp.UntilMidnightUTC(now); got != 12*time.Hour {
		t.Errorf("UntilMidnightUTC = %s", got)
	}
}

func TestTemporary(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{429: true, 500: true, 503: true, 408: true, 400: false, 401: false, 404: false, 200: false} {
		err := carrierhttp.Temporary(carrierhttp.Response{Status: status, Header: http.Header{}}, time.Now(), "x")
		if _, temporary := carrier.RetryAfter(err); temporary != want {
			t.Errorf("HTTP %d: temporary = %v, want %v", status, temporary, want)
		}
	}
}

func TestPlaceFill(t *testing.T) {
	t.Parallel()
	var c waybill.Checkpoint
	carrierhttp.Place{City: " NEW\tYORK ", State: "NY", Zip: "10001", Country: "us"}.Fill(&c)
	if c.City != "NEW YORK" || c.CountryISO3 != "USA" || c.Location != "NEW YORK, NY, 10001, United States" {
		t.Errorf("filled %+v", c)
	}
	c = waybill.Checkpoint{}
	carrierhttp.Place{City: "Bonn", Country: "Deutschland"}.Fill(&c)
	if c.CountryISO3 != "" || c.Location != "Bonn, Deutschland" {
		t.Errorf("a country name: %+v", c)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("plain")
	f.Add("nul\x00byte \xff\xfe invalid")
	f.Add(strings.Repeat("é", 1000))
	f.Fuzz(func(t *testing.T, s string) {
		got := carrierhttp.Clean(s)
		if !utf8.ValidString(got) || len(got) > carrierhttp.MaxText || !waybill.CleanText(got) {
			t.Fatalf("Clean(%q) = %q", s, got)
		}
		if r := carrierhttp.Reason(s); !waybill.CleanText(r) || len(r) > 200 {
			t.Fatalf("Reason(%q) = %q", s, r)
		}
	})
}
