package config

import (
	"fmt"
	"net/url"

	"github.com/waybillhq/waybill/internal/carrier"
)

// Rates returns WAYBILL_CARRIER_RATES read, by courier slug.
func (c Config) Rates() (map[string]carrier.Rate, error) { return carrier.ParseRates(c.CarrierRates) }

// validateCarriers checks the poller's settings: the cadence's scale, the
// carriers' base URLs and the rate overrides.
func (c Config) validateCarriers() []error {
	var errs []error
	if c.PollScale <= 0 || c.PollScale > 1000 {
		errs = append(errs, fmt.Errorf("WAYBILL_POLL_SCALE: %g must be above 0 and at most 1000", c.PollScale))
	}
	for _, u := range []struct{ name, value string }{
		{"WAYBILL_CARRIER_UPS_URL", c.CarrierUPSURL}, {"WAYBILL_CARRIER_FEDEX_URL", c.CarrierFedExURL},
		{"WAYBILL_CARRIER_USPS_URL", c.CarrierUSPSURL}, {"WAYBILL_CARRIER_DHL_URL", c.CarrierDHLURL},
	} {
		if u.value == "" {
			continue
		}
		if p, err := url.Parse(u.value); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q must be an absolute http(s) URL", u.name, u.value))
		}
	}
	if _, err := c.Rates(); err != nil {
		errs = append(errs, err)
	}
	return errs
}
