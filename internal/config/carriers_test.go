package config

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/carrier"
)

func TestLoadCarrierSettings(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.PollScale != 1 || c.CarrierUPSURL != "" {
		t.Fatalf("defaults: scale %g, UPS URL %q, %v", c.PollScale, c.CarrierUPSURL, err)
	}
	c, err = Load(env(map[string]string{
		"WAYBILL_POLL_SCALE":        "0.001",
		"WAYBILL_CARRIER_UPS_URL":   "http://127.0.0.1:9001",
		"WAYBILL_CARRIER_FEDEX_URL": "https://apis-sandbox.fedex.com",
		"WAYBILL_CARRIER_USPS_URL":  "https://apis-tem.usps.com",
		"WAYBILL_CARRIER_DHL_URL":   "http://localhost:9004/track",
		"WAYBILL_CARRIER_RATES":     "dhl=1:1, ups=10",
	}))
	if err != nil {
		t.Fatal(err)
	}
	rates, err := c.Rates()
	if err != nil || rates["dhl"] != (carrier.Rate{PerSecond: 1, Burst: 1}) || rates["ups"] != (carrier.Rate{PerSecond: 10, Burst: 10}) {
		t.Errorf("rates %v, %v", rates, err)
	}
	dump := strings.Join(c.Dump(), "\n")
	for _, want := range []string{"WAYBILL_POLL_SCALE=0.001", "WAYBILL_CARRIER_UPS_URL=http://127.0.0.1:9001", "WAYBILL_CARRIER_DHL_URL=http://localhost:9004/track"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q", want)
		}
	}
	for _, bad := range []map[string]string{
		{"WAYBILL_POLL_SCALE": "0"},
		{"WAYBILL_POLL_SCALE": "-1"},
		{"WAYBILL_POLL_SCALE": "fast"},
		{"WAYBILL_CARRIER_UPS_URL": "onlinetools.ups.com"},
		{"WAYBILL_CARRIER_DHL_URL": "ftp://x"},
		{"WAYBILL_CARRIER_RATES": "dhl"},
		{"WAYBILL_CARRIER_RATES": "dhl=0"},
		{"WAYBILL_CARRIER_RATES": "dhl=1:0"},
		{"WAYBILL_CARRIER_RATES": "=1"},
	} {
		if _, err := Load(env(bad)); err == nil {
			t.Errorf("Load(%v) = nil error, want one", bad)
		}
	}
}
