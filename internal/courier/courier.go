package courier

import (
	"net/url"
	"slices"
	"strings"
)

// Courier is one carrier in the registry, with the fields of AfterShip's
// courier object. Values returned by All and Lookup share their slices with
// the registry: callers must not modify them.
type Courier struct {
	// Slug is AfterShip's identifier: lowercase letters, digits and dashes.
	Slug string
	// Name is the display name; OtherNames are former or local names.
	Name       string
	OtherNames []string
	// WebURL is the carrier's home page; Phone its public customer line, or "".
	WebURL, Phone string
	// Countries lists the ISO 3166 alpha-3 codes the carrier ships from.
	Countries []string
	// TrackingURLTemplate is the carrier's public tracking page with the
	// placeholder {tracking_number}, or "" when the carrier has no deep link
	// Waybill knows of (TrackingURL then answers WebURL).
	TrackingURLTemplate string
	// RequiredFields and OptionalFields use AfterShip's names
	// (tracking_postal_code, tracking_ship_date, …).
	RequiredFields, OptionalFields []string
	// DefaultLanguage and SupportedLanguages are ISO 639-1 codes.
	DefaultLanguage    string
	SupportedLanguages []string
}

// Field names AfterShip uses for courier-specific tracking fields, as they
// appear in RequiredFields and OptionalFields.
const (
	FieldPostalCode         = "tracking_postal_code"
	FieldShipDate           = "tracking_ship_date"
	FieldAccountNumber      = "tracking_account_number"
	FieldKey                = "tracking_key"
	FieldOriginCountry      = "tracking_origin_country"
	FieldDestinationCountry = "tracking_destination_country"
	FieldState              = "tracking_state"
)

// placeholder is the token TrackingURLTemplate carries.
const placeholder = "{tracking_number}"

// TrackingURL returns the carrier's tracking page for a normalized number,
// with the number query-escaped. It returns WebURL when the courier has no
// template.
func (c Courier) TrackingURL(number string) string {
	if c.TrackingURLTemplate == "" {
		return c.WebURL
	}
	return strings.ReplaceAll(c.TrackingURLTemplate, placeholder, url.QueryEscape(number))
}

// Requires reports whether field (an AfterShip name such as
// "tracking_postal_code") is one of the courier's required fields.
func (c Courier) Requires(field string) bool {
	return slices.Contains(c.RequiredFields, field)
}

// SandboxSlug is the slug of the test courier that always exists.
const SandboxSlug = "sandbox"

var (
	registry []Courier      // sorted by slug
	bySlug   map[string]int // slug -> index in registry
	// needFields lists the slugs with RequiredFields, so that detection
	// can skip the registry lookup for the others when no country hint is
	// given.
	needFields []string
)

func init() {
	var all []Courier
	for _, part := range [][]Courier{americas, europe, asiaPacific, middleEastAfrica, global} {
		all = append(all, part...)
	}
	slices.SortFunc(all, func(a, b Courier) int { return strings.Compare(a.Slug, b.Slug) })
	bySlug = make(map[string]int, len(all))
	for i := range all {
		c := &all[i]
		if _, dup := bySlug[c.Slug]; dup {
			panic("courier: duplicate slug " + c.Slug)
		}
		bySlug[c.Slug] = i
		if c.DefaultLanguage == "" {
			c.DefaultLanguage = "en"
		}
		if len(c.SupportedLanguages) == 0 {
			c.SupportedLanguages = []string{c.DefaultLanguage}
		}
		if c.RequiredFields == nil {
			c.RequiredFields = []string{}
		}
		if len(c.RequiredFields) > 0 {
			needFields = append(needFields, c.Slug)
		}
		if c.OptionalFields == nil {
			c.OptionalFields = []string{}
		}
		if c.OtherNames == nil {
			c.OtherNames = []string{}
		}
	}
	registry = all
}

// All returns every courier, sorted by slug. The slice is shared: callers
// must not modify it or the couriers in it.
func All() []Courier { return registry }

// Lookup returns the courier with the given slug (exact, lowercase) and
// whether it exists.
func Lookup(slug string) (Courier, bool) {
	i, ok := bySlug[slug]
	if !ok {
		return Courier{}, false
	}
	return registry[i], true
}

// Exists reports whether slug names a courier in the registry.
func Exists(slug string) bool {
	_, ok := bySlug[slug]
	return ok
}

// defaultActivated are the carriers most merchants ship with, plus the
// sandbox: what organizations created before every courier was activated
// by default started with, and the set the detection benchmarks use.
var defaultActivated = []string{
	"amazon", "australia-post", "canada-post", "dhl", "dhl-ecommerce", "dpd",
	"fedex", "gls", "hermes", "la-poste-colissimo", "ontrac", "postnl",
	"royal-mail", SandboxSlug, "ups", "usps",
}

// DefaultActivated returns major couriers plus "sandbox", sorted, every one
// in the registry (a new organization has every courier activated; see
// tracking.Service.Activated). The caller owns the returned slice.
func DefaultActivated() []string { return slices.Clone(defaultActivated) }
