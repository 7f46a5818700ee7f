package waybill

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits of a tracker request, as the Tracker API documents them where it
// does (100 characters for ids, 10000 for instructions) and Waybill's own
// elsewhere.
const (
	MaxTrackerIDLen           = 100   // provider, trackingId, trackerExternalId, locationExternalId, type, groupId, barcodes
	MaxTrackerInstructionsLen = 10000 // pickupInstructions, deliveryInstructions
	MaxTrackerList            = 100   // packages, items, barcodes
	MaxTrackerAttributes      = 100   // orderAttributes keys
	MaxTrackerJSONDepth       = 5     // nesting of orderAttributes, packages and items
	MaxTrackerJSONNodes       = 5000  // values in orderAttributes, packages and items together
	MaxTrackerJSONString      = 2048  // one string inside them
	MaxLocaleLen              = 35
	MaxTimeZoneLen            = 64
)

// TrackerPickup is where a tracker's parcel leaves from when the request
// names no configured location.
type TrackerPickup struct {
	Address  *TrackerAddress
	Contact  *TrackerContact
	TimeZone string
}

// TrackerInput is a create or an update of a tracker, under the Tracker
// API's own field names. A nil field is absent: a create applies defaults,
// an update leaves the stored value.
type TrackerInput struct {
	Provider             *string
	TrackingID           *string
	ExternalID           *string
	LocationExternalID   *string
	Pickup               *TrackerPickup
	Type                 *string
	GroupID              *string
	OrderAttributes      *map[string]any
	OrderValue           *float64
	PickupTime           *TimeWindow
	DeliveryTime         *TimeWindow
	DeliveryContact      *TrackerContact
	DeliveryAddress      *TrackerAddress
	PickupInstructions   *string
	DeliveryInstructions *string
	Packages             *[]map[string]any
	Items                *[]map[string]any
	Barcodes             *[]string
	CreatedDate          *int64
	Locale               *string
}

// ValidateCreate checks a create and normalizes it in place (trimmed ids,
// the default type, alpha-2 country codes, barcodes without repeats). It
// returns the warnings of what it accepted but changed or found odd, or a
// *FieldErrors: every missing required value (EINVALID) or, when none is
// missing, every invalid one (EUNPROCESSABLE). now decides whether a
// window has passed.
func (in *TrackerInput) ValidateCreate(now time.Time) ([]TrackerWarning, error) {
	var p Problems
	for _, f := range []struct {
		name string
		v    *string
	}{{"provider", in.Provider}, {"trackingId", in.TrackingID}, {"trackerExternalId", in.ExternalID}} {
		if f.v == nil || strings.TrimSpace(*f.v) == "" {
			p.missing(f.name, f.name+" is required")
		}
	}
	if blank(in.LocationExternalID) && in.Pickup == nil {
		p.missing("locationExternalId", "locationExternalId or pickup is required")
	}
	if in.Type == nil || strings.TrimSpace(*in.Type) == "" {
		t := TrackerShipping
		in.Type = &t
	}
	typ := strings.ToLower(strings.TrimSpace(*in.Type))
	if (typ == TrackerDelivery || typ == TrackerShipping) && in.DeliveryAddress == nil {
		p.missing("deliveryAddress", "deliveryAddress is required for a "+typ+" tracker")
	}
	w := in.check(&p, now)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return w, nil
}

// ValidateUpdate checks an update as ValidateCreate checks a create, with
// nothing required. The tracker's identity (provider, trackerExternalId,
// type, groupId, location) cannot change: a present value is refused.
func (in *TrackerInput) ValidateUpdate(now time.Time) ([]TrackerWarning, error) {
	var p Problems
	for _, f := range []struct {
		name string
		v    *string
	}{{"provider", in.Provider}, {"trackerExternalId", in.ExternalID}, {"type", in.Type}, {"groupId", in.GroupID}, {"locationExternalId", in.LocationExternalID}} {
		if f.v != nil {
			p.invalid(f.name, f.name+" cannot be changed; cancel the tracker and create another")
		}
	}
	if in.Pickup != nil {
		p.invalid("pickup", "pickup cannot be changed; cancel the tracker and create another")
	}
	w := in.check(&p, now)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return w, nil
}

// check validates and normalizes every present field.
func (in *TrackerInput) check(p *Problems, now time.Time) []TrackerWarning {
	var warn []TrackerWarning
	trim := func(v *string) *string {
		if v == nil {
			return nil
		}
		s := strings.TrimSpace(*v)
		return &s
	}
	in.Provider, in.TrackingID, in.ExternalID = trim(in.Provider), trim(in.TrackingID), trim(in.ExternalID)
	in.LocationExternalID, in.GroupID = trim(in.LocationExternalID), trim(in.GroupID)
	for _, f := range []struct {
		name string
		v    *string
	}{{"provider", in.Provider}, {"trackingId", in.TrackingID}, {"trackerExternalId", in.ExternalID},
		{"locationExternalId", in.LocationExternalID}, {"type", in.Type}, {"groupId", in.GroupID}} {
		if f.v != nil {
			p.line(f.name, *f.v, MaxTrackerIDLen)
		}
	}
	if in.Type != nil {
		t := strings.ToLower(strings.TrimSpace(*in.Type))
		if !slices.Contains(TrackerTypes, t) && CleanLine(t, MaxTrackerIDLen) {
			p.invalid("type", "type must be delivery, pickup or shipping")
		}
		in.Type = &t
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"pickupInstructions", in.PickupInstructions}, {"deliveryInstructions", in.DeliveryInstructions}} {
		if f.v != nil {
			p.text(f.name, *f.v, MaxTrackerInstructionsLen)
		}
	}
	if in.OrderValue != nil && (math.IsNaN(*in.OrderValue) || *in.OrderValue < 0 || *in.OrderValue > 1e12) {
		p.invalid("orderValue", "orderValue must be a number of at least 0")
	}
	checkWindow(p, "pickupTime", in.PickupTime)
	checkWindow(p, "deliveryTime", in.DeliveryTime)
	if in.DeliveryTime != nil && in.DeliveryTime.EndsAt != nil && validMillis(*in.DeliveryTime.EndsAt) && *in.DeliveryTime.EndsAt < now.UnixMilli() {
		warn = append(warn, TrackerWarning{WarnDeliveryWindowPassed, "deliveryTime.endsAt is already past"})
	}
	if in.DeliveryContact != nil {
		checkContact(p, "deliveryContact", in.DeliveryContact)
	}
	if in.DeliveryAddress != nil {
		warn = append(warn, checkAddress(p, "deliveryAddress", in.DeliveryAddress)...)
	}
	if in.Pickup != nil {
		if in.Pickup.Address != nil {
			warn = append(warn, checkAddress(p, "pickup.address", in.Pickup.Address)...)
		} else if blank(in.LocationExternalID) {
			p.missing("pickup.address", "pickup.address is required when there is no locationExternalId")
		}
		if in.Pickup.Contact != nil {
			checkContact(p, "pickup.contact", in.Pickup.Contact)
		}
		in.Pickup.TimeZone = strings.TrimSpace(in.Pickup.TimeZone)
		checkTimeZone(p, "pickup.timeZone", in.Pickup.TimeZone)
	}
	nodes := 0
	if in.OrderAttributes != nil {
		if len(*in.OrderAttributes) > MaxTrackerAttributes {
			p.invalid("orderAttributes", fmt.Sprintf("orderAttributes has more than %d keys", MaxTrackerAttributes))
		} else {
			checkJSON(p, "orderAttributes", *in.OrderAttributes, 1, &nodes)
		}
	}
	for _, l := range []struct {
		name string
		v    *[]map[string]any
	}{{"packages", in.Packages}, {"items", in.Items}} {
		if l.v == nil {
			continue
		}
		if len(*l.v) > MaxTrackerList {
			p.invalid(l.name, fmt.Sprintf("%s has more than %d entries", l.name, MaxTrackerList))
			continue
		}
		for i, o := range *l.v {
			checkJSON(p, fmt.Sprintf("%s[%d]", l.name, i), o, 1, &nodes)
		}
	}
	if in.Barcodes != nil {
		if len(*in.Barcodes) > MaxTrackerList {
			p.invalid("barcodes", fmt.Sprintf("barcodes has more than %d entries", MaxTrackerList))
		} else {
			var kept []string
			for i, b := range *in.Barcodes {
				b = strings.TrimSpace(b)
				if !p.line(fmt.Sprintf("barcodes[%d]", i), b, MaxTrackerIDLen) {
					continue
				}
				if b == "" {
					p.invalid(fmt.Sprintf("barcodes[%d]", i), "a barcode cannot be empty")
				} else if !slices.Contains(kept, b) {
					kept = append(kept, b)
				}
			}
			if len(kept) < len(*in.Barcodes) && len(kept) > 0 {
				warn = append(warn, TrackerWarning{WarnDuplicateBarcodes, fmt.Sprintf("%d repeated barcodes were dropped", len(*in.Barcodes)-len(kept))})
			}
			if kept == nil {
				kept = []string{}
			}
			in.Barcodes = &kept
		}
	}
	if in.CreatedDate != nil && !validMillis(*in.CreatedDate) {
		p.invalid("createdDate", "createdDate must be a Unix time in milliseconds between 1970 and 2200")
	}
	if in.Locale != nil {
		l := strings.TrimSpace(*in.Locale)
		if p.line("locale", l, MaxLocaleLen) && l != "" {
			base := strings.ToLower(strings.FieldsFunc(l, func(r rune) bool { return r == '-' || r == '_' })[0])
			switch {
			case !localePattern.MatchString(l):
				warn = append(warn, TrackerWarning{WarnUnknownLocale, fmt.Sprintf("locale %q is not a language tag and was ignored", l)})
				l = ""
			case !slices.Contains(PageLanguages, base):
				warn = append(warn, TrackerWarning{WarnUnknownLocale, fmt.Sprintf("locale %q is not one the pages and messages speak; they use English", l)})
			}
		}
		in.Locale = &l
	}
	return warn
}

var localePattern = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)

func blank(v *string) bool { return v == nil || strings.TrimSpace(*v) == "" }

// validMillis reports whether ms is a Unix time in milliseconds between
// 1970 and 2200.
func validMillis(ms int64) bool {
	return ms >= 0 && ms <= time.Date(maxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

func checkWindow(p *Problems, name string, w *TimeWindow) {
	if w == nil {
		return
	}
	ok := true
	for end, v := range map[string]*int64{"startsAt": w.StartsAt, "endsAt": w.EndsAt} {
		if v != nil && !validMillis(*v) {
			p.invalid(name+"."+end, name+"."+end+" must be a Unix time in milliseconds between 1970 and 2200")
			ok = false
		}
	}
	if ok && w.StartsAt != nil && w.EndsAt != nil && *w.StartsAt > *w.EndsAt {
		p.invalid(name, name+".startsAt is after its endsAt")
	}
}

func checkContact(p *Problems, name string, c *TrackerContact) {
	c.Name, c.Phone, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Phone), strings.TrimSpace(c.Email)
	p.line(name+".name", c.Name, MaxTextLen)
	if c.Phone != "" && (!CleanLine(c.Phone, 32) || !phonePattern.MatchString(c.Phone)) {
		p.invalid(name+".phone", name+".phone is not a phone number")
	}
	if c.Email != "" && validateRecipients([]string{c.Email}, nil) != nil {
		p.invalid(name+".email", name+".email is not an email address")
	}
}

// checkAddress validates an address and normalizes its country to an
// alpha-2 code; a name or an alpha-3 code is accepted with a warning.
func checkAddress(p *Problems, name string, a *TrackerAddress) []TrackerWarning {
	var warn []TrackerWarning
	fields := []struct {
		field string
		v     *string
	}{{"street1", &a.Street1}, {"street2", &a.Street2}, {"city", &a.City}, {"state", &a.State},
		{"postalCode", &a.PostalCode}, {"apartmentNumber", &a.ApartmentNumber}, {"countryCode", &a.CountryCode}}
	clean := true
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		clean = p.line(name+"."+f.field, *f.v, MaxTextLen) && clean
	}
	for _, f := range []struct{ field, v string }{{"street1", a.Street1}, {"city", a.City}, {"countryCode", a.CountryCode}} {
		if f.v == "" {
			p.missing(name+"."+f.field, name+"."+f.field+" is required")
		}
	}
	if a.Latitude != nil && (math.IsNaN(*a.Latitude) || *a.Latitude < -90 || *a.Latitude > 90) {
		p.invalid(name+".latitude", name+".latitude must be between -90 and 90")
	}
	if a.Longitude != nil && (math.IsNaN(*a.Longitude) || *a.Longitude < -180 || *a.Longitude > 180) {
		p.invalid(name+".longitude", name+".longitude must be between -180 and 180")
	}
	if a.CountryCode == "" || !clean {
		return nil
	}
	code, how := countryCodeOf(a.CountryCode)
	switch {
	case code == "":
		p.invalid(name+".countryCode", name+".countryCode is not an ISO 3166-1 country code")
	case how != "":
		warn = append(warn, TrackerWarning{WarnCountryNormalized, fmt.Sprintf("%s.countryCode %q was read as %s (%s)", name, a.CountryCode, code, how)})
	}
	if code != "" {
		a.CountryCode = code
	}
	return warn
}

// countryCodeOf reads a country as an alpha-2 code: an alpha-2 code in any
// case as it is, an alpha-3 code or an English name with how it was read.
func countryCodeOf(s string) (code, how string) {
	up := strings.ToUpper(s)
	if _, ok := countries[up]; ok && len(up) == 2 {
		return up, ""
	}
	if len(up) == 3 {
		if iso2, ok := CountryISO2(up); ok {
			return iso2, "an alpha-3 code"
		}
	}
	for iso2, c := range countries {
		if strings.EqualFold(c.name, s) {
			return iso2, "a country name"
		}
	}
	return "", ""
}

func checkTimeZone(p *Problems, name, tz string) {
	if tz == "" || !p.line(name, tz, MaxTimeZoneLen) {
		return
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		p.invalid(name, name+" is not an IANA time zone")
	}
}

// checkJSON checks free-form JSON the client sends (orderAttributes,
// packages, items): clean keys and strings, bounded depth and size.
func checkJSON(p *Problems, name string, v any, depth int, nodes *int) {
	*nodes++
	if *nodes > MaxTrackerJSONNodes {
		if *nodes == MaxTrackerJSONNodes+1 {
			p.invalid(name, fmt.Sprintf("orderAttributes, packages and items hold more than %d values", MaxTrackerJSONNodes))
		}
		return
	}
	if depth > MaxTrackerJSONDepth {
		p.invalid(name, fmt.Sprintf("%s is nested more than %d levels deep", name, MaxTrackerJSONDepth))
		return
	}
	switch x := v.(type) {
	case nil, bool, float64:
	case string:
		p.text(name, x, MaxTrackerJSONString)
	case map[string]any:
		for k, e := range x {
			if !CleanLine(k, MaxCustomKeyLen) {
				p.invalid(name, name+" has a key that is not valid text or is too long")
				continue
			}
			checkJSON(p, name+"."+k, e, depth+1, nodes)
		}
	case []any:
		for i, e := range x {
			checkJSON(p, fmt.Sprintf("%s[%d]", name, i), e, depth+1, nodes)
		}
	default:
		p.invalid(name, name+" holds a value of an unknown type")
	}
}
