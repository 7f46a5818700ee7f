package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// refused lists the ranges a webhook may never reach unless the operator
// allows private targets: loopback, private, link-local, CGNAT,
// unique-local, unspecified, multicast, broadcast, documentation, benchmark
// and reserved ranges, and cloud metadata addresses.
var refused = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"100.100.100.200/32", // Alibaba Cloud metadata
		"::/128", "::1/128", "fe80::/10", "fc00::/7", "ff00::/8", "2001:db8::/32", "100::/64",
		"fd00:ec2::254/128", // AWS metadata over IPv6
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// ErrRefusedAddress is returned for a target on a refused address.
var ErrRefusedAddress = errors.New("address is private, loopback, link-local or reserved")

// embeddedIPv4 returns the IPv4 address an IPv6 address carries in the
// forms that route to it: IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96
// and 64:ff9b:1::/48) and 6to4 (2002::/16).
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if a.Is4In6() {
		return a.Unmap(), true
	}
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b: // NAT64
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case b[0] == 0x20 && b[1] == 0x02: // 6to4
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0): // IPv4-compatible ::a.b.c.d
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	}
	return netip.Addr{}, false
}

// IsRefused reports whether a is an address webhooks may not target.
func IsRefused(a netip.Addr) bool {
	a = a.WithZone("")
	if v4, ok := embeddedIPv4(a); ok {
		a = v4
	}
	for _, p := range refused {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseLooseIPv4 reads the IPv4 spellings that inet_aton (and so some
// resolvers and browsers) accept: one to four parts, each decimal, octal
// (leading 0) or hex (leading 0x), the last filling the remaining bytes. So
// "2130706433", "0177.0.0.1", "0x7f.1" and "127.1" are all 127.0.0.1.
func parseLooseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			// ParseUint's base 0 wants 0o for octal; inet_aton takes a bare 0.
			if len(p) > 1 && p[0] == '0' && p[1] != 'x' && p[1] != 'X' {
				v, err = strconv.ParseUint(p[1:], 8, 32)
			}
			if err != nil {
				return netip.Addr{}, false
			}
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// hostAddr returns the address a URL host names literally, in any
// spelling, or false for a DNS name.
func hostAddr(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true
	}
	return parseLooseIPv4(host)
}

// ValidateURL checks a webhook target before any request: http or https, a
// host, no user info, and not an IP literal (in any spelling) on a refused
// address. Hostnames are checked again at every dial, on what they resolve to.
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if u.User != nil {
		return errors.New("user info is not allowed in the URL")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("host is missing")
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return ErrRefusedAddress
	}
	if a, ok := hostAddr(host); ok && IsRefused(a) {
		return ErrRefusedAddress
	}
	return nil
}

// Resolver looks up a host's addresses; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Dialer connects only to addresses it has checked: it resolves the host,
// refuses the connection if any resolved address is refused, and then dials
// those same addresses, so a DNS answer that changes between check and
// connect cannot slip through.
type Dialer struct {
	Resolver     Resolver
	Dialer       *net.Dialer
	AllowPrivate bool
}

// DialContext implements the http.Transport dial hook.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, ok := hostAddr(host); ok {
		addrs = []netip.Addr{a}
	} else {
		r := d.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if addrs, err = r.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	if !d.AllowPrivate {
		for _, a := range addrs {
			if IsRefused(a) {
				return nil, fmt.Errorf("dial %s (%s): %w", host, a, ErrRefusedAddress)
			}
		}
	}
	var lastErr error
	for _, a := range addrs {
		conn, err := d.Dialer.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}
