package carrierhttp

import (
	"net/http"
	"strings"
	"time"
)

// Endpoint is where and how a connector reaches its carrier: the base URL
// (no trailing slash), the HTTP client and the clock. Connectors embed it.
type Endpoint struct {
	Base   string
	Client *http.Client
	Now    func() time.Time
}

// NewEndpoint returns the endpoint at base with its trailing slashes
// trimmed ("" means production), through client (nil means a client with
// DefaultTimeout), reading the time from now (nil means time.Now).
func NewEndpoint(base, production string, client *http.Client, now func() time.Time) Endpoint {
	e := Endpoint{Base: strings.TrimRight(base, "/"), Client: Client(client), Now: now}
	if e.Base == "" {
		e.Base = production
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	return e
}

// RetryWait is how long a rate-limited answer asks to wait: its
// Retry-After from now, or fallback when it gives none.
func (e Endpoint) RetryWait(resp Response, fallback time.Duration) time.Duration {
	if wait := RetryAfter(resp.Header, e.Now()); wait > 0 {
		return wait
	}
	return fallback
}
