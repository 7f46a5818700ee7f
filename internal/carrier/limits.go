package carrier

import (
	"fmt"
	"strconv"
	"strings"
)

// RateLimited is a Connector that says how fast one connection (one
// organization's account) may call its carrier: perSecond calls a second
// on average, in bursts of at most burst. The poller keeps every
// connection to its connector's rate unless WAYBILL_CARRIER_RATES
// overrides it; a connector without DefaultRate is not limited.
type RateLimited interface {
	DefaultRate() (perSecond float64, burst int)
}

// Rate is a per-connection call budget. A zero PerSecond means unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

// ParseRates reads WAYBILL_CARRIER_RATES: comma-separated
// slug=perSecond[:burst] entries, for example "dhl=1:1,ups=10:20". A
// missing burst is the rate rounded up, at least 1.
func ParseRates(spec string) (map[string]Rate, error) {
	out := map[string]Rate{}
	for _, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		slug, value, ok := strings.Cut(entry, "=")
		slug = strings.ToLower(strings.TrimSpace(slug))
		if !ok || slug == "" {
			return nil, fmt.Errorf("WAYBILL_CARRIER_RATES: %q is not slug=perSecond[:burst]", entry)
		}
		perText, burstText, hasBurst := strings.Cut(strings.TrimSpace(value), ":")
		per, err := strconv.ParseFloat(perText, 64)
		if err != nil || per <= 0 || per > 1e6 {
			return nil, fmt.Errorf("WAYBILL_CARRIER_RATES: %s: %q is not a rate above 0 calls a second", slug, perText)
		}
		burst := max(int(per+0.999999), 1)
		if hasBurst {
			if burst, err = strconv.Atoi(burstText); err != nil || burst < 1 || burst > 1e6 {
				return nil, fmt.Errorf("WAYBILL_CARRIER_RATES: %s: burst %q is not a whole number above 0", slug, burstText)
			}
		}
		out[slug] = Rate{PerSecond: per, Burst: burst}
	}
	return out, nil
}
