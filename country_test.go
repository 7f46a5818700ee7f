package waybill

import (
	"strings"
	"testing"
)

func TestCountryCodes(t *testing.T) {
	for _, tt := range []struct{ iso2, iso3, name string }{
		{"GB", "GBR", "United Kingdom"}, {"us", "USA", "United States"}, {"DE", "DEU", "Germany"}, {"CN", "CHN", "China"},
	} {
		if got, ok := CountryISO3(tt.iso2); !ok || got != tt.iso3 {
			t.Errorf("CountryISO3(%q) = %q, %v; want %q", tt.iso2, got, ok, tt.iso3)
		}
		if got, ok := CountryISO2(tt.iso3); !ok || got != strings.ToUpper(tt.iso2) {
			t.Errorf("CountryISO2(%q) = %q, %v", tt.iso3, got, ok)
		}
		if got := CountryName(tt.iso3); got != tt.name {
			t.Errorf("CountryName(%q) = %q, want %q", tt.iso3, got, tt.name)
		}
	}
	if _, ok := CountryISO3("XX"); ok {
		t.Error("XX is not a country")
	}
	if len(countries) < 240 {
		t.Errorf("only %d countries", len(countries))
	}
}
