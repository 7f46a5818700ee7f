package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrRefusedAddress is returned (wrapped) for a target that is, or
// resolves to, an address webhooks may not reach. Test with errors.Is.
var ErrRefusedAddress = errors.New("webhook: target is a loopback, private, link-local, reserved or cloud metadata address")

// refusedV4 lists the IPv4 ranges a webhook may never reach unless the
// operator allows private targets.
var refusedV4 = mustPrefixes(
	"0.0.0.0/8",          // "this network"; 0.0.0.0 reaches the local host on Linux
	"10.0.0.0/8",         // RFC 1918
	"100.64.0.0/10",      // CGNAT (RFC 6598); holds Alibaba Cloud's metadata 100.100.100.200
	"127.0.0.0/8",        // loopback
	"169.254.0.0/16",     // link-local; holds the AWS/GCP/Azure/OCI metadata 169.254.169.254 and ECS's 169.254.170.2
	"172.16.0.0/12",      // RFC 1918
	"192.0.0.0/24",       // IETF protocol assignments; holds Oracle Cloud's metadata 192.0.0.192
	"192.0.2.0/24",       // TEST-NET-1
	"192.88.99.0/24",     // deprecated 6to4 relay anycast
	"192.168.0.0/16",     // RFC 1918
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // TEST-NET-2
	"203.0.113.0/24",     // TEST-NET-3
	"224.0.0.0/4",        // multicast
	"240.0.0.0/4",        // reserved, and the broadcast 255.255.255.255
	"168.63.129.16/32",   // Azure's WireServer (host agent and DNS)
	"100.100.100.200/32", // Alibaba Cloud metadata (also in CGNAT; listed to say so)
)

// globalV6 is the only IPv6 space that holds public unicast addresses
// today. Everything outside it is refused: ::, ::1, the deprecated
// IPv4-compatible ::/96, discard 100::/64, 64:ff9b:1::/48 (local-use NAT64),
// SRv6 5f00::/16, unique-local fc00::/7 (with AWS's metadata fd00:ec2::254),
// link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8.
// IPv4-mapped and well-known NAT64 addresses are judged by the IPv4
// address they carry, before this test.
var globalV6 = netip.MustParsePrefix("2000::/3")

// refusedV6 lists the special ranges inside 2000::/3.
var refusedV6 = mustPrefixes(
	"2001::/23",     // IETF protocol assignments: Teredo 2001::/32 (which hides an IPv4 address), benchmarking 2001:2::/48, ORCHID
	"2001:db8::/32", // documentation
	"3fff::/20",     // documentation (RFC 9637)
)

var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")    // well-known NAT64 prefix (RFC 6052)
	sixTo = netip.MustParsePrefix("2002::/16")       // 6to4 (RFC 3056)
	siit  = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (RFC 2765)
)

func mustPrefixes(ps ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// embeddedIPv4 returns the IPv4 address that an IPv6 address carries and
// routes to: IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d,
// well-known NAT64 64:ff9b::a.b.c.d and 6to4 2002:AABB:CCDD::.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b := a.As16()
	switch {
	case nat64.Contains(a), siit.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixTo.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// IsRefused reports whether a webhook may not target a: true for every
// address in the refused ranges listed in this file, for an IPv6 address
// that carries a refused IPv4 address, for IPv6 outside 2000::/3, and for
// the invalid zero Addr. Zones are ignored.
func IsRefused(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.WithZone("")
	if a.Is6() {
		if v4, ok := embeddedIPv4(a); ok {
			if IsRefused(v4) {
				return true
			}
			if a.Is4In6() || nat64.Contains(a) || siit.Contains(a) {
				return false // these route to the IPv4 address alone
			}
		}
		if !globalV6.Contains(a) {
			return true
		}
		return containsAny(refusedV6, a)
	}
	return containsAny(refusedV4, a)
}

func containsAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseInetAton reads an IPv4 address in every spelling inet_aton(3)
// accepts, which some resolvers (glibc's getaddrinfo) and HTTP clients
// honour: one to four dot-separated parts, each decimal, octal (leading 0)
// or hex (leading 0x), the last part filling the remaining bytes. So
// "2130706433", "0177.0.0.1", "0x7f.1" and "127.1" are all 127.0.0.1.
func parseInetAton(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals [4]uint64
	for i, p := range parts {
		v, ok := parseAtonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	n := len(parts)
	var x uint64
	for i := range n - 1 {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
		x |= vals[i] << (8 * (3 - i))
	}
	if vals[n-1] >= 1<<(8*(5-n)) { // the last part fills 5-n bytes
		return netip.Addr{}, false
	}
	x |= vals[n-1]
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}), true
}

// parseAtonPart reads one inet_aton part, at most 2^32-1.
func parseAtonPart(p string) (uint64, bool) {
	base := uint64(10)
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true // inet_aton takes a bare "0x" as zero
		}
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		var d uint64
		switch c := p[i]; {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		if v = v*base + d; v > 0xffffffff {
			return 0, false
		}
	}
	return v, true
}

// ErrInvalidHost is returned (wrapped) for a host that is neither an IP
// address nor a DNS name (labels of letters, digits, '-' and '_'), once
// read as the HTTP client reads it; a non-ASCII host that IDNA (UTS #46)
// cannot map to ASCII is one. Test with errors.Is.
var ErrInvalidHost = errors.New("webhook: host is not an IP address or a valid (internationalized) domain name")

// CanonicalHost returns a URL host (url.URL.Hostname: no brackets, no
// port) as the HTTP client will dial it: a non-ASCII host goes through
// golang.org/x/net/idna's Lookup profile, the UTS #46 mapping net/http
// applies (so "①②⑦.0.0.1", "𝟏𝟐𝟕.0.0.1" and "１２７。０。０。１" become
// "127.0.0.1" and "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ" becomes "localhost"); then it is
// lowercased and its trailing dots are dropped. A host that is then neither
// an IP address (any spelling hostAddr reads) nor a DNS name gives an error
// wrapping ErrInvalidHost, and so does a non-ASCII host IDNA refuses:
// net/http would dial such a host as given, so the guard refuses it
// rather than guess what a resolver makes of it.
func CanonicalHost(host string) (string, error) {
	if !isASCII(host) {
		a, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", fmt.Errorf("%w: %q: %v", ErrInvalidHost, host, err)
		}
		host = a
	}
	canon := strings.TrimRight(strings.ToLower(host), ".")
	if _, ok := hostAddr(canon); !ok && !validName(canon) {
		return "", fmt.Errorf("%w: %q", ErrInvalidHost, host)
	}
	return canon, nil
}

// validName reports whether h is a DNS name: 1 to 253 bytes of labels of
// 1 to 63 lowercase letters, digits, '-' or '_' (which some services use),
// separated by dots.
func validName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkHost refuses a host whose canonical form (see CanonicalHost) names
// a refused address in any spelling, or a name reserved for private use.
func checkHost(host, canon string) error {
	if a, ok := hostAddr(canon); ok {
		if IsRefused(a) {
			return fmt.Errorf("webhook URL host %s (%s): %w", host, a, ErrRefusedAddress)
		}
		return nil
	}
	if refusedName(canon) {
		return fmt.Errorf("webhook URL host %s (%s): %w", host, canon, ErrRefusedAddress)
	}
	return nil
}

// hostAddr returns the address a canonical host names literally, in any
// spelling (IPv6 with or without brackets and zone, dotted IPv4,
// inet_aton forms), or false for a DNS name.
func hostAddr(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true
	}
	return parseInetAton(host)
}

// refusedName reports names reserved for local and private networks:
// localhost (RFC 6761), .local (mDNS), .internal (ICANN private use, and
// GCP's metadata.google.internal) and .home.arpa.
func refusedName(host string) bool {
	if host == "localhost" {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".home.arpa"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// ValidateURL checks a webhook target before any request is made. It
// returns nil for an absolute http or https URL with a host and no user
// info whose host, read as the HTTP client will dial it (CanonicalHost:
// IDNA mapping, case, trailing dots), is a DNS name not reserved for
// private use, or an IP literal (in any spelling: decimal, octal, hex,
// short, IPv6, IPv4-mapped, NAT64, 6to4) that IsRefused accepts. A refused
// address or name gives an error wrapping ErrRefusedAddress; a non-ASCII
// host IDNA refuses, one wrapping ErrInvalidHost. Names are checked again, on what they
// resolve to, by Dialer at every connection.
func ValidateURL(raw string) error {
	_, err := checkURL(raw, false)
	return err
}

// checkURL parses and checks a target; allowPrivate skips the address and
// name checks, but never the scheme, host (IDNA included) and user-info
// checks.
func checkURL(raw string, allowPrivate bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("webhook URL: scheme %q is not http or https", u.Scheme)
	}
	if u.User != nil {
		return nil, errors.New("webhook URL: user info is not allowed")
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("webhook URL: host is missing")
	}
	canon, err := CanonicalHost(host)
	if err != nil {
		return nil, fmt.Errorf("webhook URL: %w", err)
	}
	if allowPrivate {
		return u, nil
	}
	if err := checkHost(host, canon); err != nil {
		return nil, err
	}
	return u, nil
}

// Resolver looks up a host's addresses. net.DefaultResolver is one; tests
// pass a map to simulate DNS answers.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer connects only to addresses it has checked. For each connection it
// resolves the host once, refuses the connection (an error wrapping
// ErrRefusedAddress) if any resolved address is refused, and then dials
// those same addresses, never the name, so a DNS answer that changes
// between check and connect (rebinding) cannot slip through. As a second
// line it checks the socket address again just before connect(2).
// AllowPrivate turns both checks off. A Dialer is safe for concurrent use.
type Dialer struct {
	// Resolver looks up names; net.DefaultResolver when nil.
	Resolver Resolver
	// Net makes the connections (timeouts, keep-alive); a zero net.Dialer
	// when nil. Its Control function, if any, is replaced.
	Net *net.Dialer
	// AllowPrivate lets connections reach refused addresses
	// (WAYBILL_WEBHOOK_ALLOW_PRIVATE=true, and tests on loopback).
	AllowPrivate bool
}

// DialContext has the signature of http.Transport.DialContext. addr is
// "host:port"; the host, read through CanonicalHost, is an IP literal (any
// spelling hostAddr reads) or a name. It tries the checked addresses in the resolver's order and returns
// the first connection, or the last error.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	addrs, err := d.targets(ctx, network, host)
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	if d.Net != nil {
		nd = *d.Net
	}
	nd.Control = nil
	if !d.AllowPrivate {
		nd.Control = controlRefused
	}
	var lastErr error
	for _, a := range addrs {
		conn, err := nd.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// targets returns the addresses DialContext may dial for host: the one it
// names literally, or what the resolver answers for a name. Unless private
// targets are allowed, it refuses (an error wrapping ErrRefusedAddress) a
// reserved name or any refused address, and a non-ASCII host IDNA refuses
// (ErrInvalidHost) in any case.
func (d *Dialer) targets(ctx context.Context, network, host string) ([]netip.Addr, error) {
	canon, err := CanonicalHost(host)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", host, err)
	}
	var addrs []netip.Addr
	if a, ok := hostAddr(canon); ok {
		addrs = []netip.Addr{a}
	} else {
		if !d.AllowPrivate && refusedName(canon) {
			return nil, fmt.Errorf("dial %s: %w", host, ErrRefusedAddress)
		}
		r := d.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if addrs, err = r.LookupNetIP(ctx, lookupNetwork(network), host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
	}
	if !d.AllowPrivate {
		for _, a := range addrs {
			if IsRefused(a) {
				return nil, fmt.Errorf("dial %s (%s): %w", host, a, ErrRefusedAddress)
			}
		}
	}
	return addrs, nil
}

// lookupNetwork maps a dial network to the resolver's.
func lookupNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}

// controlRefused is a net.Dialer Control function: it refuses a socket
// whose destination is a refused address, whatever path led there.
func controlRefused(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("connect %s: %w", address, ErrRefusedAddress)
	}
	if IsRefused(ap.Addr()) {
		return fmt.Errorf("connect %s: %w", address, ErrRefusedAddress)
	}
	return nil
}
