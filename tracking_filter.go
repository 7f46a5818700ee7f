package waybill

import "time"

// TrackingFilter narrows a list of an organization's trackings. Empty
// fields do not filter; the values of one field are alternatives (OR), the
// fields together must all hold (AND).
type TrackingFilter struct {
	Keyword             string   // a substring of the searchable text (number, title, order, ...)
	TrackingNumbers     []string // normalized by the core before the query
	Slugs               []string
	Tags                []string
	Origins             []string // ISO 3166-1, alpha-2 or alpha-3; alpha-3 after Validate
	Destinations        []string // likewise
	CourierDestinations []string // likewise; Waybill keeps one destination, so this narrows it too
	OrderID             string
	DeliveryDays        *int
	ReturnToSender      *bool
	CreatedMin          time.Time
	CreatedMax          time.Time
	UpdatedMin          time.Time
	UpdatedMax          time.Time

	Limit     int   // at most this many, 1 to MaxPageSize
	Offset    int   // skip this many (page-based listing)
	BeforeSeq int64 // only trackings older than this position (cursor listing); 0 for none
}

// MaxPageSize is the largest Limit of a TrackingFilter.
const MaxPageSize = 1000

// TrackingPage is one page of a tracking list.
type TrackingPage struct {
	Trackings []Tracking
	Total     int   // trackings matching the filter, across pages
	NextSeq   int64 // position to pass as BeforeSeq for the next page; 0 when none
}

// Validate checks the filter before it reaches a query and normalizes the
// country codes to alpha-3 (in new slices; f's old slices are not written).
// A problem is an EINVALID error with ReasonFieldInvalid naming the
// parameter.
func (f *TrackingFilter) Validate() error {
	if err := checkLine("keyword", f.Keyword, MaxKeywordLen); err != nil {
		return err
	}
	if err := checkLine("order_id", f.OrderID, MaxTextLen); err != nil {
		return err
	}
	for _, l := range []struct {
		name  string
		vals  []string
		limit int
	}{
		{"tracking_numbers", f.TrackingNumbers, 4 * MaxCodeLen},
		{"slug", f.Slugs, MaxCodeLen},
		{"tag", f.Tags, MaxCodeLen},
		{"origin", f.Origins, MaxCodeLen},
		{"destination", f.Destinations, MaxCodeLen},
		{"courier_destination_country_region", f.CourierDestinations, MaxCodeLen},
	} {
		if len(l.vals) > MaxFilterValues {
			return fieldInvalid("%s is limited to %d values.", l.name, MaxFilterValues)
		}
		for _, v := range l.vals {
			if err := checkLine(l.name, v, l.limit); err != nil {
				return err
			}
		}
	}
	for _, t := range f.Tags {
		if !Tag(t).Valid() {
			return fieldInvalid("tag %q is not a valid tag.", t)
		}
	}
	var err error
	if f.Origins, err = countryList("origin", f.Origins); err != nil {
		return err
	}
	if f.Destinations, err = countryList("destination", f.Destinations); err != nil {
		return err
	}
	if f.CourierDestinations, err = countryList("courier_destination_country_region", f.CourierDestinations); err != nil {
		return err
	}
	if f.DeliveryDays != nil && (*f.DeliveryDays < 0 || *f.DeliveryDays > 1000) {
		return fieldInvalid("delivery_time must be an integer from 0 to 1000.")
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return fieldInvalid("limit must be an integer from 1 to %d.", MaxPageSize)
	}
	if f.Offset < 0 || f.BeforeSeq < 0 {
		return fieldInvalid("The page position is invalid.")
	}
	return nil
}

// countryList maps a list of country codes to alpha-3.
func countryList(name string, codes []string) ([]string, error) {
	if codes == nil {
		return nil, nil
	}
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		iso3, ok := NormalizeCountry(c)
		if !ok {
			return nil, fieldInvalid("The value of %s is invalid: use ISO 3166-1 country codes.", name)
		}
		out = append(out, iso3)
	}
	return out, nil
}
