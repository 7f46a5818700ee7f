package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"testing"
)

// errNoDial stops a request at the moment net/http would connect.
var errNoDial = errors.New("test: not dialing")

// httpDialAddr returns the host:port net/http's Transport asks to dial for
// raw (after its own IDNA mapping), or false when it never gets to dialing.
func httpDialAddr(t *testing.T, raw string) (string, bool) {
	t.Helper()
	var dialed string
	tr := &http.Transport{Proxy: nil, DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dialed = addr
		return nil, errNoDial
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, raw, nil)
	if err != nil {
		return "", false
	}
	if res, err := tr.RoundTrip(req); err == nil {
		res.Body.Close()
		t.Fatalf("RoundTrip(%q) succeeded without a connection", raw)
	}
	return dialed, dialed != ""
}

// publicResolver answers every name with a public address, so that only
// the guard's own rules can refuse a name.
type publicResolver struct{}

func (publicResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

// checkGuardAgreesWithHTTP is the property FuzzGuardAgreesWithHTTPClient
// checks: a URL admitted at registration (ValidateURL) is admitted by the
// Dialer on the host net/http actually dials, and a URL refused at
// registration is refused there too, so registration and delivery judge
// the same host, whatever its spelling.
func checkGuardAgreesWithHTTP(t *testing.T, host string) {
	raw := "http://" + host + "/"
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || u.User != nil {
		return
	}
	registered := ValidateURL(raw)
	dialAddr, ok := httpDialAddr(t, raw)
	if !ok {
		return
	}
	// What Dialer.DialContext checks before it connects.
	dialHost, _, dialErr := net.SplitHostPort(dialAddr)
	if dialErr == nil {
		d := &Dialer{Resolver: publicResolver{}}
		_, dialErr = d.targets(context.Background(), "tcp", dialHost)
	}
	if (registered == nil) != (dialErr == nil) {
		t.Fatalf("host %q: ValidateURL = %v, but the dialer, given %q by net/http, says %v", host, registered, dialAddr, dialErr)
	}
	if registered == nil {
		canon, err := CanonicalHost(dialHost)
		if err != nil {
			t.Fatalf("host %q admitted, but net/http dials %q, which CanonicalHost refuses: %v", host, dialHost, err)
		}
		if a, ok := hostAddr(canon); ok && IsRefused(a) {
			t.Fatalf("host %q admitted, but net/http dials refused address %s", host, a)
		}
	}
}

// TestGuardAgreesWithHTTPClient runs the fuzz property on the SSRF corpus.
func TestGuardAgreesWithHTTPClient(t *testing.T) {
	t.Parallel()
	for _, host := range guardSeeds() {
		checkGuardAgreesWithHTTP(t, host)
	}
	// The spellings of issue 10 reach net/http as loopback.
	for _, host := range []string{"①②⑦.0.0.1", "𝟏𝟐𝟕.0.0.1", "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ"} {
		dialAddr, ok := httpDialAddr(t, "http://"+host+"/")
		if !ok || (dialAddr != "127.0.0.1:80" && dialAddr != "localhost:80") {
			t.Errorf("net/http dials %q for %q; the corpus assumes loopback", dialAddr, host)
		}
		if err := ValidateURL("http://" + host + "/"); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("ValidateURL(%q) = %v, want ErrRefusedAddress", host, err)
		}
	}
}

func guardSeeds() []string {
	var hosts []string
	for _, tt := range refusedURLs {
		if u, err := url.Parse(tt.url); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	for _, s := range allowedURLs {
		if u, err := url.Parse(s); err == nil {
			hosts = append(hosts, u.Host)
		}
	}
	return append(hosts, "ⅼocalhost", "LOCALHOST.", "xn--mnchen-3ya.de", "⒈2.0.0.1", "a\u200db", "ß.example", "127.0.0.1:80")
}

// FuzzGuardAgreesWithHTTPClient fuzzes the host normaliser and the guard
// against net/http itself: see checkGuardAgreesWithHTTP.
func FuzzGuardAgreesWithHTTPClient(f *testing.F) {
	for _, h := range guardSeeds() {
		f.Add(h)
	}
	f.Fuzz(checkGuardAgreesWithHTTP)
}

// FuzzCanonicalHost: CanonicalHost never panics, is idempotent, and returns
// lowercase ASCII without a trailing dot.
func FuzzCanonicalHost(f *testing.F) {
	for _, h := range guardSeeds() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		c, err := CanonicalHost(host)
		if err != nil {
			if !errors.Is(err, ErrInvalidHost) {
				t.Fatalf("CanonicalHost(%q) = %v, want ErrInvalidHost", host, err)
			}
			return
		}
		if !isASCII(c) || len(c) > 0 && c[len(c)-1] == '.' {
			t.Fatalf("CanonicalHost(%q) = %q: not ASCII without a trailing dot", host, c)
		}
		for i := 0; i < len(c); i++ {
			if 'A' <= c[i] && c[i] <= 'Z' {
				t.Fatalf("CanonicalHost(%q) = %q: not lowercase", host, c)
			}
		}
		if again, err := CanonicalHost(c); err != nil || again != c {
			t.Fatalf("CanonicalHost(%q) = %q, then %q, %v: not idempotent", host, c, again, err)
		}
	})
}
