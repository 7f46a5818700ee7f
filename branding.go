package waybill

import (
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // page time zones must load on hosts without a zoneinfo database
)

// PageLanguages are the languages the hosted tracking pages speak, as ISO
// 639-1 codes; the first is the fallback.
var PageLanguages = []string{"en", "de", "fr", "es"}

// Branding is how an organization's hosted tracking pages look and what they
// hide. The zero value is valid: the organization's name, no logo, the
// default colour, English, times as the carrier gave them.
type Branding struct {
	DisplayName  string // shown in the page header; the organization's name when empty
	LogoURL      string // https URL of the logo, the one third-party request a page makes
	AccentColor  string // #rrggbb
	SupportEmail string
	SupportURL   string
	Language     string // default page language, one of PageLanguages ("" is English)
	TimeZone     string // IANA name checkpoint times are shown in; "" keeps the carrier's offset
	// CustomHost is a host name (no scheme, no port) whose requests are
	// served this organization's portal at "/". Unique across organizations.
	CustomHost string

	// HideCourier replaces the courier's name and link by CourierMessage.
	HideCourier    bool
	CourierMessage string
	// MaskLocations replaces every checkpoint location by LocationMessage.
	MaskLocations   bool
	LocationMessage string

	UpdatedAt time.Time
}

// BrandingPatch changes the fields that are not nil.
type BrandingPatch struct {
	DisplayName, LogoURL, AccentColor, SupportEmail, SupportURL *string
	Language, TimeZone, CustomHost                              *string
	HideCourier, MaskLocations                                  *bool
	CourierMessage, LocationMessage                             *string
}

// Apply returns b with the patch's non-nil fields set, trimmed of spaces
// (host names lowercased). It does not validate: call Validate on the result.
func (b Branding) Apply(p BrandingPatch) Branding {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&b.DisplayName, p.DisplayName)
	set(&b.LogoURL, p.LogoURL)
	set(&b.AccentColor, p.AccentColor)
	set(&b.SupportEmail, p.SupportEmail)
	set(&b.SupportURL, p.SupportURL)
	set(&b.Language, p.Language)
	set(&b.TimeZone, p.TimeZone)
	set(&b.CustomHost, p.CustomHost)
	b.CustomHost = strings.ToLower(b.CustomHost)
	set(&b.CourierMessage, p.CourierMessage)
	set(&b.LocationMessage, p.LocationMessage)
	if p.HideCourier != nil {
		b.HideCourier = *p.HideCourier
	}
	if p.MaskLocations != nil {
		b.MaskLocations = *p.MaskLocations
	}
	return b
}

var (
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	hostName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// Validate reports every invalid field as EINVALID, or nil.
func (b Branding) Validate() error {
	var bad []string
	if len(b.DisplayName) > 100 {
		bad = append(bad, "display_name must be at most 100 characters")
	}
	if b.LogoURL != "" && !httpsURL(b.LogoURL) {
		bad = append(bad, "logo_url must be an https URL")
	}
	if b.AccentColor != "" && !hexColor.MatchString(b.AccentColor) {
		bad = append(bad, "accent_color must be #rrggbb")
	}
	if b.SupportEmail != "" {
		if a, err := mail.ParseAddress(b.SupportEmail); err != nil || a.Address != b.SupportEmail {
			bad = append(bad, "support_email must be a plain email address")
		}
	}
	if b.SupportURL != "" && !httpURL(b.SupportURL) {
		bad = append(bad, "support_url must be an http(s) URL")
	}
	if b.Language != "" && !slices.Contains(PageLanguages, b.Language) {
		bad = append(bad, "language must be one of "+strings.Join(PageLanguages, ", "))
	}
	if b.TimeZone != "" {
		if _, err := time.LoadLocation(b.TimeZone); err != nil || b.TimeZone == "Local" {
			bad = append(bad, "time_zone must be an IANA time zone name such as Europe/Berlin")
		}
	}
	if b.CustomHost != "" && (len(b.CustomHost) > 253 || !hostName.MatchString(b.CustomHost)) {
		bad = append(bad, "custom_host must be a host name such as track.example.com")
	}
	if len(b.CourierMessage) > 200 || len(b.LocationMessage) > 200 {
		bad = append(bad, "courier_message and location_message must be at most 200 characters")
	}
	if len(bad) > 0 {
		return Invalid(ReasonFieldInvalid, "%s.", strings.Join(bad, "; "))
	}
	return nil
}

// Location returns the time zone checkpoint times are shown in, or nil to
// keep each checkpoint's own offset.
func (b Branding) Location() *time.Location {
	if b.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return nil
	}
	return loc
}

func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
