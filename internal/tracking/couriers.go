package tracking

import (
	"context"
	"slices"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// Candidate is a detected courier with its confidence.
type Candidate struct {
	Courier    courier.Courier
	Confidence float64
}

// Detect returns the couriers a tracking number may belong to, best first.
// Without an explicit slug list in hints, only the organization's activated
// couriers are candidates; a slug group narrows them to that group. A blank
// number is ReasonNumberRequired, an impossible one ReasonNumberInvalid, and
// no candidate at all ReasonCourierNotDetected (AfterShip's 4012): every
// face answers the same.
func (s *Service) Detect(ctx context.Context, orgID int64, number, group string, hints courier.Hints) ([]Candidate, error) {
	if strings.TrimSpace(number) == "" {
		return nil, waybill.Invalid(waybill.ReasonNumberRequired, "tracking_number is required.")
	}
	if n := normalize(number); n == "" || len(n) > courier.MaxNumberLen || !printable(n) {
		return nil, waybill.Invalid(waybill.ReasonNumberInvalid, "The value of tracking_number is invalid.")
	}
	if len(hints.Slugs) == 0 {
		active, err := s.Activated(ctx, orgID)
		if err != nil {
			return nil, err
		}
		for _, c := range active {
			hints.Slugs = append(hints.Slugs, c.Slug)
		}
	}
	if group = strings.ToLower(strings.TrimSpace(group)); group != "" {
		prefix := strings.TrimSuffix(group, "-group")
		hints.Slugs = slices.DeleteFunc(hints.Slugs, func(slug string) bool {
			return slug != prefix && !strings.HasPrefix(slug, prefix+"-")
		})
		if len(hints.Slugs) == 0 {
			return nil, errNotDetected
		}
	}
	var out []Candidate
	for _, c := range courier.Detect(number, hints) {
		if co, ok := courier.Lookup(c.Slug); ok {
			out = append(out, Candidate{Courier: co, Confidence: c.Confidence})
		}
	}
	if len(out) == 0 {
		return nil, errNotDetected
	}
	return out, nil
}

var errNotDetected = waybill.Invalid(waybill.ReasonCourierNotDetected,
	"Cannot detect courier. Give its slug, or activate it for your organization: PUT /v1/couriers with {\"activate\": [\"slug\"]}, or `waybill couriers activate --org NAME slug`.")

// Activated returns the organization's activated couriers, sorted by slug.
// An organization that has never narrowed its choice has every courier of
// the registry (and gets the new ones a later version adds).
func (s *Service) Activated(ctx context.Context, orgID int64) ([]courier.Courier, error) {
	slugs, err := s.Store.Read().ActivatedCouriers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(slugs) == 0 {
		return slices.Clone(courier.All()), nil
	}
	out := make([]courier.Courier, 0, len(slugs))
	for _, slug := range slugs {
		if c, ok := courier.Lookup(slug); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b courier.Courier) int { return strings.Compare(a.Slug, b.Slug) })
	return out, nil
}

// ChooseCouriers activates and deactivates couriers for the organization
// (deactivate applies after activate) and returns the resulting set. A
// slug not in the registry is ReasonFieldInvalid; a choice that would leave
// no courier activated is refused, since detection would then find none.
// A choice that activates every courier is stored as "all", so couriers a
// later version adds are activated too.
func (s *Service) ChooseCouriers(ctx context.Context, orgID int64, activate, deactivate []string) ([]courier.Courier, error) {
	for _, list := range [][]string{activate, deactivate} {
		for _, slug := range list {
			if !courier.Exists(slug) {
				return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "%q is not a courier slug (GET /v4/couriers/all lists them).", slug)
			}
		}
	}
	var out []courier.Courier
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		current, err := tx.ActivatedCouriers(ctx, orgID)
		if err != nil {
			return err
		}
		set := map[string]bool{}
		if len(current) == 0 {
			for _, c := range courier.All() {
				set[c.Slug] = true
			}
		}
		for _, slug := range current {
			set[slug] = true
		}
		for _, slug := range activate {
			set[slug] = true
		}
		for _, slug := range deactivate {
			delete(set, slug)
		}
		if len(set) == 0 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "At least one courier must stay activated.")
		}
		slugs := make([]string, 0, len(set))
		for slug := range set {
			if courier.Exists(slug) {
				slugs = append(slugs, slug)
			}
		}
		slices.Sort(slugs)
		stored := slugs
		if len(slugs) == len(courier.All()) {
			stored = nil // every courier: stored as no choice
		}
		if err := tx.SetActivatedCouriers(ctx, orgID, stored); err != nil {
			return err
		}
		out = make([]courier.Courier, 0, len(slugs))
		for _, slug := range slugs {
			c, _ := courier.Lookup(slug)
			out = append(out, c)
		}
		return nil
	})
	return out, err
}
