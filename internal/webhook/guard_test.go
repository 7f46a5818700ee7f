package webhook

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestValidateURLCorpus(t *testing.T) {
	for _, raw := range []string{
		"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/",
		"http://0x7f000001/", "http://017700000001/", "http://127.0.1/", "http://localhost:8080/hook", "http://api.localhost/",
		"http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/", "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data",
		"http://100.100.100.200/", "http://0.0.0.0/", "http://[::1]/", "http://[::]/", "http://[fe80::1%25eth0]/",
		"http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
		"http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b::10.0.0.1]/", "http://[2002:7f00:1::]/", "http://[::127.0.0.1]/",
		"http://224.0.0.1/", "http://255.255.255.255/", "http://198.18.0.1/", "http://127.0.0.1./",
		"ftp://example.com/", "file:///etc/passwd", "http://user:pass@example.com/", "http:///nohost", "gopher://x",
	} {
		if err := ValidateURL(raw); err == nil {
			t.Errorf("ValidateURL(%q) = nil, want refused", raw)
		}
	}
	for _, raw := range []string{"https://example.com/hook", "http://93.184.216.34:8080/x", "https://[2606:2800:220:1:248:1893:25c8:1946]/", "https://hooks.example.co.uk/a?b=c"} {
		if err := ValidateURL(raw); err != nil {
			t.Errorf("ValidateURL(%q) = %v, want nil", raw, err)
		}
	}
}

func TestLooseIPv4(t *testing.T) {
	for in, want := range map[string]string{
		"2130706433": "127.0.0.1", "0177.0.0.1": "127.0.0.1", "0x7f.1": "127.0.0.1", "127.1": "127.0.0.1",
		"10.1.2": "10.1.0.2", "0xa9fea9fe": "169.254.169.254", "1.2.3.4": "1.2.3.4",
	} {
		got, ok := parseLooseIPv4(in)
		if !ok || got.String() != want {
			t.Errorf("parseLooseIPv4(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"example.com", "1.2.3.4.5", "256.1.1.1", "0x100000000", "", "1..2"} {
		if got, ok := parseLooseIPv4(in); ok {
			t.Errorf("parseLooseIPv4(%q) = %v, want not an address", in, got)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestDialerChecksEveryResolvedAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	res := fakeResolver{
		"rebind.example":   {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")},
		"internal.example": {netip.MustParseAddr("10.1.2.3")},
		"loop.example":     {netip.MustParseAddr("127.0.0.1")},
	}
	strict := &Dialer{Resolver: res, Dialer: &net.Dialer{}}
	for _, host := range []string{"rebind.example", "internal.example", "loop.example", "127.0.0.1", "0x7f.1"} {
		if _, err := strict.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port)); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("dial %s: %v, want ErrRefusedAddress", host, err)
		}
	}
	// The operator's opt-in lets tests and private networks through, and the
	// dial goes to the resolved address.
	open := &Dialer{Resolver: res, Dialer: &net.Dialer{}, AllowPrivate: true}
	c, err := open.DialContext(context.Background(), "tcp", net.JoinHostPort("loop.example", port))
	if err != nil {
		t.Fatalf("AllowPrivate dial: %v", err)
	}
	c.Close()
}

func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1/", "https://example.com", "http://[::ffff:1.2.3.4]:80/", "http://0x7f.1", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_ = ValidateURL(raw)
		if a, ok := hostAddr(raw); ok {
			_ = IsRefused(a)
		}
	})
}
