package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// refusedURLs is the SSRF corpus: every spelling of a refused target.
var refusedURLs = []struct{ name, url string }{
	{"loopback", "http://127.0.0.1/"},
	{"loopback, other host", "http://127.255.1.2:8080/x"},
	{"loopback, trailing dot", "http://127.0.0.1./"},
	{"short form", "http://127.1/"},
	{"short form, three parts", "http://127.0.1/"},
	{"decimal", "http://2130706433/"},
	{"octal", "http://0177.0.0.1/"},
	{"octal, one part", "http://017700000001/"},
	{"hex, two parts", "http://0x7f.1/"},
	{"hex, four parts", "http://0x7f.0x0.0x0.0x1/"},
	{"hex, one part", "http://0x7f000001/"},
	{"hex, upper case", "http://0X7F.1/"},
	{"mixed bases", "http://0x7f.0.01/"},
	{"full-width digits and dots", "http://１２７。０。０。１/"},
	{"circled digits (IDNA maps them)", "http://①②⑦.0.0.1/"},
	{"mathematical bold digits", "http://𝟏𝟐𝟕.0.0.1/"},
	{"circled letters", "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/"},
	{"circled letters, trailing dot", "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ./"},
	{"script small l", "http://ℓocalhost/"},
	{"full-width letters", "http://ＬＯＣＡＬＨＯＳＴ/"},
	{"circled metadata address", "http://⑯⑨.②⑤④.①⑥⑨.②⑤④/"},
	{"circled short form", "http://①②⑦.1/"},
	{"ideographic dots, ASCII digits", "http://127。0。0。1/"},
	{"full-width metadata name", "http://metadata.google.ｉｎｔｅｒｎａｌ/"},
	{"percent-encoded circled digits", "http://%E2%91%A0%E2%91%A1%E2%91%A6.0.0.1/"},
	{"non-ASCII host IDNA refuses", "http://a\u200db.example/"},
	{"two trailing dots", "http://localhost../"},
	{"localhost", "http://localhost:8080/hook"},
	{"localhost, upper case, trailing dot", "http://LOCALHOST./"},
	{"subdomain of localhost", "http://api.localhost/"},
	{"GCP metadata name", "http://metadata.google.internal/computeMetadata/v1/"},
	{"mDNS name", "http://printer.local/"},
	{"home.arpa name", "http://nas.home.arpa/"},
	{"RFC 1918 10/8", "http://10.0.0.5/"},
	{"RFC 1918 172.16/12", "http://172.16.3.4/"},
	{"RFC 1918 172.31", "http://172.31.255.255/"},
	{"RFC 1918 192.168/16", "http://192.168.1.1/"},
	{"RFC 1918, decimal", "http://167772165/"},
	{"CGNAT", "http://100.64.0.1/"},
	{"link-local", "http://169.254.1.1/"},
	{"AWS/GCP/Azure metadata", "http://169.254.169.254/latest/meta-data/"},
	{"AWS metadata, decimal", "http://2852039166/"},
	{"AWS metadata, hex", "http://0xa9fea9fe/"},
	{"AWS metadata, octal", "http://0251.0376.0251.0376/"},
	{"ECS task metadata", "http://169.254.170.2/v2/credentials"},
	{"Alibaba metadata", "http://100.100.100.200/latest/meta-data/"},
	{"Oracle metadata", "http://192.0.0.192/"},
	{"Azure WireServer", "http://168.63.129.16/"},
	{"unspecified", "http://0.0.0.0/"},
	{"this network", "http://0.1.2.3/"},
	{"zero, short", "http://0/"},
	{"multicast", "http://224.0.0.1/"},
	{"reserved 240/4", "http://240.0.0.1/"},
	{"broadcast", "http://255.255.255.255/"},
	{"benchmark 198.18/15", "http://198.18.0.1/"},
	{"TEST-NET-1", "http://192.0.2.1/"},
	{"TEST-NET-2", "http://198.51.100.7/"},
	{"TEST-NET-3", "http://203.0.113.9/"},
	{"6to4 relay anycast", "http://192.88.99.1/"},
	{"IPv6 loopback", "http://[::1]/"},
	{"IPv6 loopback, long form", "http://[0:0:0:0:0:0:0:1]/"},
	{"IPv6 unspecified", "http://[::]/"},
	{"IPv6 link-local with zone", "http://[fe80::1%25eth0]/"},
	{"IPv6 site-local", "http://[fec0::1]/"},
	{"IPv6 unique-local", "http://[fc00::1]/"},
	{"AWS metadata over IPv6", "http://[fd00:ec2::254]/"},
	{"IPv6 multicast", "http://[ff02::1]/"},
	{"IPv6 documentation", "http://[2001:db8::1]/"},
	{"IPv6 documentation 3fff::/20", "http://[3fff::1]/"},
	{"IPv6 discard", "http://[100::1]/"},
	{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/"},
	{"IPv4-mapped loopback, hex", "http://[::ffff:7f00:1]/"},
	{"IPv4-mapped metadata", "http://[::ffff:169.254.169.254]/"},
	{"IPv4-translated private", "http://[::ffff:0:10.0.0.1]/"},
	{"IPv4-compatible loopback", "http://[::127.0.0.1]/"},
	{"IPv4-compatible public (deprecated range)", "http://[::8.8.8.8]/"},
	{"NAT64 metadata", "http://[64:ff9b::a9fe:a9fe]/"},
	{"NAT64 private, dotted", "http://[64:ff9b::10.0.0.1]/"},
	{"NAT64 local-use prefix", "http://[64:ff9b:1::808:808]/"},
	{"6to4 of loopback", "http://[2002:7f00:1::]/"},
	{"6to4 of metadata", "http://[2002:a9fe:a9fe::1]/"},
	{"Teredo", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/"},
	{"IPv6 benchmarking", "http://[2001:2::1]/"},
	{"scheme ftp", "ftp://example.com/"},
	{"scheme file", "file:///etc/passwd"},
	{"scheme gopher", "gopher://example.com:70/"},
	{"scheme missing", "example.com/hook"},
	{"user info", "http://user:pass@example.com/"},
	{"user info, name only", "https://user@example.com/"},
	{"user info hiding a host", "http://example.com@127.0.0.1/"},
	{"no host", "http:///nohost"},
	{"not a URL", "http://[::1/"},
	{"empty", ""},
}

// allowedURLs are public targets that must pass.
var allowedURLs = []string{
	"https://example.com/hook",
	"https://hooks.example.co.uk/a?b=c#frag",
	"http://93.184.216.34:8080/x",
	"https://8.8.8.8/",
	"https://1.1.1.1/",
	"http://172.32.0.1/",  // just outside 172.16/12
	"http://100.128.0.1/", // just outside CGNAT
	"http://169.255.0.1/", // just outside link-local
	"https://[2606:2800:220:1:248:1893:25c8:1946]/",
	"https://[2a00:1450:4007:80a::200e]:8443/",
	"https://[::ffff:93.184.216.34]/", // IPv4-mapped public
	"https://[64:ff9b::5db8:d822]/",   // NAT64 of a public address
	"https://[2002:5db8:d822::1]/",    // 6to4 of a public address
	"https://xn--bcher-kva.example/",  // IDN
	"https://localhost.example.com/",  // "localhost" only as a label
	"https://internal.example.com/",   // "internal" only as a label
	"https://0x7f.example.com/",       // looks like hex, is a name
	"https://127.0.0.1.nip.example/",  // a name (the dialer checks what it resolves to)
	"HTTPS://EXAMPLE.COM/",            // scheme and host case
	"https://münchen.example/",        // IDN in Unicode
	"https://example.com./hook",       // absolute name
}

func TestValidateURL(t *testing.T) {
	t.Parallel()
	for _, tt := range refusedURLs {
		if err := ValidateURL(tt.url); err == nil {
			t.Errorf("%s: ValidateURL(%q) = nil, want refused", tt.name, tt.url)
		}
	}
	for _, raw := range allowedURLs {
		if err := ValidateURL(raw); err != nil {
			t.Errorf("ValidateURL(%q) = %v, want nil", raw, err)
		}
	}
	// Address refusals say so; shape errors (scheme, user info) do not.
	if err := ValidateURL("http://0x7f.1/"); !errors.Is(err, ErrRefusedAddress) {
		t.Errorf("ValidateURL(0x7f.1) = %v, want ErrRefusedAddress", err)
	}
	if err := ValidateURL("ftp://example.com/"); err == nil || errors.Is(err, ErrRefusedAddress) {
		t.Errorf("ValidateURL(ftp) = %v, want a scheme error", err)
	}
}

func TestParseInetAton(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2130706433": "127.0.0.1", "0177.0.0.1": "127.0.0.1", "0x7f.1": "127.0.0.1", "127.1": "127.0.0.1",
		"0x7F.0X0.00.1": "127.0.0.1", "10.1.2": "10.1.0.2", "0xa9fea9fe": "169.254.169.254", "1.2.3.4": "1.2.3.4",
		"0": "0.0.0.0", "0x": "0.0.0.0", "4294967295": "255.255.255.255", "1.16777215": "1.255.255.255",
	} {
		got, ok := parseInetAton(in)
		if !ok || got.String() != want {
			t.Errorf("parseInetAton(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"example.com", "1.2.3.4.5", "256.1.1.1", "1.256.1.1", "4294967296", "0x100000000", "1.16777216",
		"", "1..2", "08", "0o17", "1_0.0.0.1", "+1.2.3.4", "-1", "1.2.3.4 ", "0x7g", "९.1.1.1",
	} {
		if got, ok := parseInetAton(in); ok {
			t.Errorf("parseInetAton(%q) = %v, want not an address", in, got)
		}
	}
}

func TestIsRefused(t *testing.T) {
	t.Parallel()
	if !IsRefused(netip.Addr{}) {
		t.Error("the invalid zero Addr is not refused")
	}
	for _, s := range []string{"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"} {
		if IsRefused(netip.MustParseAddr(s)) {
			t.Errorf("IsRefused(%s) = true, want false", s)
		}
	}
}

// fakeResolver answers from a map and counts lookups.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
	lookups int
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if a, ok := f.answers[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

// rebindingResolver answers a public address the first time and loopback
// afterwards, as a rebinding attacker's DNS server would.
type rebindingResolver struct{ calls atomic.Int32 }

func (r *rebindingResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	if r.calls.Add(1) == 1 {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// countingListener accepts connections on loopback and counts them.
func countingListener(t *testing.T) (port string, accepted *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted = new(atomic.Int32)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	_, port, _ = net.SplitHostPort(l.Addr().String())
	return port, accepted
}

func TestDialerRefusesPrivateResolutions(t *testing.T) {
	t.Parallel()
	port, accepted := countingListener(t)
	res := &fakeResolver{answers: map[string][]netip.Addr{
		"mixed.example":    {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")},
		"internal.example": {netip.MustParseAddr("10.1.2.3")},
		"loop.example":     {netip.MustParseAddr("127.0.0.1")},
		"mapped.example":   {netip.MustParseAddr("::ffff:127.0.0.1")},
		"meta.example":     {netip.MustParseAddr("fd00:ec2::254")},
	}}
	strict := &Dialer{Resolver: res, Net: &net.Dialer{Timeout: 10 * time.Second}}
	for _, host := range []string{"mixed.example", "internal.example", "loop.example", "mapped.example", "meta.example", "127.0.0.1", "0x7f.1", "2130706433", "::1", "localhost"} {
		if c, err := strict.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port)); !errors.Is(err, ErrRefusedAddress) {
			if c != nil {
				c.Close()
			}
			t.Errorf("dial %s: %v, want ErrRefusedAddress", host, err)
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections from refused dials", n)
	}
}

func TestDialerDialsOnlyWhatItChecked(t *testing.T) {
	t.Parallel()
	port, accepted := countingListener(t)
	res := &fakeResolver{answers: map[string][]netip.Addr{"hook.example": {netip.MustParseAddr("127.0.0.1")}}}
	// AllowPrivate lets the dial reach loopback; the connection must go to
	// the resolved address, looked up once.
	d := &Dialer{Resolver: res, AllowPrivate: true, Net: &net.Dialer{Timeout: 10 * time.Second}}
	conn, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("hook.example", port))
	if err != nil {
		t.Fatalf("AllowPrivate dial: %v", err)
	}
	got := conn.RemoteAddr().String()
	conn.Close()
	if want := "127.0.0.1:" + port; got != want || res.lookups != 1 {
		t.Errorf("dialed %s after %d lookups, want %s after 1", got, res.lookups, want)
	}

	// Rebinding: the name resolves public at check time; a second lookup
	// would say loopback. The dialer looks up once and dials the checked
	// (public, here unreachable) address, never loopback.
	rebind := &rebindingResolver{}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	strict := &Dialer{Resolver: rebind, Net: &net.Dialer{}}
	if c, err := strict.DialContext(ctx, "tcp", net.JoinHostPort("rebind.example", port)); err == nil {
		c.Close()
		t.Error("dial of a rebinding name reached something")
	}
	if n := rebind.calls.Load(); n != 1 {
		t.Errorf("the dialer resolved %d times, want 1", n)
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("loopback listener accepted %d connections, want 1 (the AllowPrivate dial only)", n)
	}
}

func TestControlRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr    string
		refused bool
	}{
		{"127.0.0.1:80", true}, {"[::1]:443", true}, {"[fe80::1%eth0]:80", true}, {"169.254.169.254:80", true},
		{"93.184.216.34:443", false}, {"[2606:2800:220:1:248:1893:25c8:1946]:443", false}, {"garbage", true},
	} {
		if err := controlRefused("tcp", tt.addr, nil); (err != nil) != tt.refused || (err != nil && !errors.Is(err, ErrRefusedAddress)) {
			t.Errorf("controlRefused(%s) = %v, want refused %v", tt.addr, err, tt.refused)
		}
	}
}

// TestClientRefusesPrivateNames goes through the whole client: a name that
// resolves to loopback is refused at dial time, and the receiver on that
// loopback address never sees a request.
func TestClientRefusesPrivateNames(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	res := &fakeResolver{answers: map[string][]netip.Addr{"hooks.customer.example": {netip.MustParseAddr("127.0.0.1")}}}

	strict := NewClient(ClientOptions{Resolver: res})
	for _, url := range []string{
		"http://hooks.customer.example:" + port + "/hook", // passes ValidateURL; refused by the dialer
		"http://127.0.0.1:" + port + "/hook",              // refused by ValidateURL
		"http://１２７。０。０。１:" + port + "/hook",              // full-width spelling
	} {
		r := strict.Deliver(context.Background(), url, nil, []byte(`{}`))
		if !errors.Is(r.Err, ErrRefusedAddress) || r.Outcome != OutcomeRetry || r.StatusCode != 0 {
			t.Errorf("Deliver(%s) = %+v, want a refusal", url, r)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback receiver got %d requests from a strict client", n)
	}

	open := NewClient(ClientOptions{Resolver: res, AllowPrivate: true})
	if r := open.Deliver(context.Background(), "http://hooks.customer.example:"+port+"/hook", nil, []byte(`{}`)); r.Outcome != OutcomeSuccess {
		t.Errorf("with AllowPrivate: %+v, want success", r)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("receiver got %d requests, want 1", n)
	}
}

func FuzzValidateURL(f *testing.F) {
	for _, tt := range refusedURLs {
		f.Add(tt.url)
	}
	for _, s := range allowedURLs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := ValidateURL(raw)
		if err == nil {
			// Whatever passes is an http(s) URL with a host and no user info.
			u, perr := checkURL(raw, true)
			if perr != nil || u.Hostname() == "" || u.User != nil {
				t.Fatalf("ValidateURL(%q) = nil, but the URL is malformed: %v", raw, perr)
			}
			if a, ok := hostAddr(u.Hostname()); ok && IsRefused(a) {
				t.Fatalf("ValidateURL(%q) = nil for refused address %s", raw, a)
			}
		}
		if a, ok := hostAddr(raw); ok {
			_ = IsRefused(a)
		}
	})
}
