package courier

import (
	"math"
	"slices"
	"strings"
)

// Hints narrows or informs detection. Every field is optional.
type Hints struct {
	// Slugs, when non-empty, limits the answer to these couriers.
	Slugs []string
	// The courier-specific fields, as given with the tracking
	// (tracking_postal_code, tracking_ship_date, …). OriginCountry and
	// DestinationCountry are ISO 3166 alpha-3 codes.
	PostalCode, ShipDate, AccountNumber, Key, OriginCountry, DestinationCountry, State string
}

// Candidate is one courier a tracking number may belong to.
type Candidate struct {
	// Slug is a courier in the registry.
	Slug string `json:"slug"`
	// Confidence is in (0, 1]; higher is likelier. Values are rounded to
	// three decimals and comparable only within one answer.
	Confidence float64 `json:"confidence"`
	// Verified reports that a check digit in the number confirmed the format.
	Verified bool `json:"verified"`
}

// MaxNumberLen is the longest normalized number Detect considers; longer
// input yields no candidates.
const MaxNumberLen = 64

// maxCandidates bounds one answer; no number matches more formats.
const maxCandidates = 16

// Detect normalizes number (see Normalize) and returns the couriers it may
// belong to, best first. The order is: descending confidence, then the
// more specific matching format first (one with a check digit or more fixed
// characters), then slug, so the same input always gives the same answer.
// A courier whose check digit fails is never a candidate. Hints adjust the
// answer:
//
//   - h.Slugs keeps only the listed couriers;
//   - a courier with a required field (RequiredFields) that h leaves empty
//     stays a candidate at half its confidence, so a courier that needs
//     nothing more ranks first;
//   - a courier serving h.OriginCountry or h.DestinationCountry gains 0.05.
//
// An empty answer means the courier cannot be detected (AfterShip 4012).
// Detect allocates at most twice: once for normalizing a number that is not
// already normalized and once for the answer.
func Detect(number string, h Hints) []Candidate {
	var buf [maxCandidates]Candidate
	got := DetectInto(buf[:0], Normalize(number), h)
	if len(got) == 0 {
		return nil
	}
	out := make([]Candidate, len(got))
	copy(out, got)
	return out
}

// DetectInto is Detect for a number already normalized with Normalize: it
// appends the candidates to dst, ordered as Detect orders them, and returns
// the extended slice. It does not allocate when dst has room for the
// candidates (16 always suffice).
func DetectInto(dst []Candidate, normalized string, h Hints) []Candidate {
	if normalized == "" || len(normalized) > MaxNumberLen {
		return dst
	}
	var d detection
	matchAll(&d, normalized)
	found := d.found[:0]
	for _, m := range d.found[:d.n] {
		if len(h.Slugs) > 0 && !containsFold(h.Slugs, m.Slug) {
			continue
		}
		m.Candidate = adjust(m.Candidate, &h)
		found = append(found, m)
	}
	sortMatches(found)
	for _, m := range found {
		dst = append(dst, m.Candidate)
	}
	return dst
}

// match is a candidate with the specificity of the format that produced
// it: the characters the format fixes (literal prefix or suffix characters)
// plus one for a check digit. It breaks ties between equal confidences.
type match struct {
	Candidate
	specificity int
}

// detection collects the candidates the format rules find for one number.
// It holds no pointers to the caller's data, so it stays on the stack.
type detection struct {
	n     int
	found [maxCandidates]match
}

// verified adds slug as confirmed by a check digit; fixed is the number of
// characters the format fixes besides the check digit.
func (d *detection) verified(slug string, confidence float64, fixed int) {
	d.add(match{Candidate{Slug: slug, Confidence: confidence, Verified: true}, fixed + 1})
}

// pattern adds slug as matching a pattern only; fixed is the number of
// characters the format fixes.
func (d *detection) pattern(slug string, confidence float64, fixed int) {
	d.add(match{Candidate{Slug: slug, Confidence: confidence}, fixed})
}

// add records m; a courier matched by two formats keeps its better match.
func (d *detection) add(m match) {
	for i := range d.found[:d.n] {
		if d.found[i].Slug == m.Slug {
			if better(m, d.found[i]) {
				d.found[i] = m
			}
			return
		}
	}
	if d.n < len(d.found) {
		d.found[d.n] = m
		d.n++
	}
}

// adjust applies the hint rules documented on Detect and rounds the
// confidence.
func adjust(c Candidate, h *Hints) Candidate {
	if h.OriginCountry == "" && h.DestinationCountry == "" && !slices.Contains(needFields, c.Slug) {
		c.Confidence = math.Round(c.Confidence*1000) / 1000 // no hint applies: skip the lookup
		return c
	}
	co, ok := Lookup(c.Slug)
	if !ok {
		return c
	}
	for _, f := range co.RequiredFields {
		if h.field(f) == "" {
			c.Confidence *= 0.5
			break
		}
	}
	if serves(co, h.OriginCountry) || serves(co, h.DestinationCountry) {
		c.Confidence = min(c.Confidence+0.05, 1)
	}
	c.Confidence = math.Round(c.Confidence*1000) / 1000
	return c
}

// sortMatches orders s as Detect documents (insertion sort: answers are
// tiny and sort.Slice would allocate).
func sortMatches(s []match) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && better(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// better reports whether a ranks before b: higher confidence, then the
// more specific format, then a verified match, then slug.
func better(a, b match) bool {
	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	if a.specificity != b.specificity {
		return a.specificity > b.specificity
	}
	if a.Verified != b.Verified {
		return a.Verified
	}
	return a.Slug < b.Slug
}

// field returns the hint for an AfterShip field name.
func (h *Hints) field(name string) string {
	switch name {
	case FieldPostalCode:
		return h.PostalCode
	case FieldShipDate:
		return h.ShipDate
	case FieldAccountNumber:
		return h.AccountNumber
	case FieldKey:
		return h.Key
	case FieldOriginCountry:
		return h.OriginCountry
	case FieldDestinationCountry:
		return h.DestinationCountry
	case FieldState:
		return h.State
	}
	return ""
}

func serves(c Courier, iso3 string) bool {
	return iso3 != "" && containsFold(c.Countries, strings.TrimSpace(iso3))
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if v == s || strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
