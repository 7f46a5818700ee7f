package tracking

import (
	"context"
	"slices"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
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
	"Cannot detect courier. Activate courier at https://admin.aftership.com/settings/couriers.")

// Activated returns the organization's activated couriers, sorted by slug.
// An organization that has never chosen gets the default set.
func (s *Service) Activated(ctx context.Context, orgID int64) ([]courier.Courier, error) {
	slugs, err := s.Store.Read().ActivatedCouriers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(slugs) == 0 {
		slugs = courier.DefaultActivated()
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
