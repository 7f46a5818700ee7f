package aftership

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func queryInt(q url.Values, name string, def, minVal, maxVal int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minVal || n > maxVal {
		return 0, waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be an integer from %d to %d.", name, minVal, maxVal)
	}
	return n, nil
}

func queryTime(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be an ISO 8601 date and time.", name)
}

// listFilter reads the list parameters both generations share. It parses
// only what the wire types (numbers, booleans, times, comma lists); the
// core's TrackingFilter.Validate decides what values are acceptable.
func listFilter(q url.Values) (waybill.TrackingFilter, error) {
	f := waybill.TrackingFilter{
		Keyword:         q.Get("keyword"),
		TrackingNumbers: splitList(q.Get("tracking_numbers")),
		Slugs:           splitList(q.Get("slug")),
		Tags:            splitList(q.Get("tag")),
		Origins:         splitList(q.Get("origin")),
		Destinations:    splitList(q.Get("destination")),
		OrderID:         q.Get("order_id"),
	}
	for _, name := range []string{"delivery_time", "transit_time"} {
		if q.Get(name) != "" {
			n, err := queryInt(q, name, 0, 0, 1000)
			if err != nil {
				return f, err
			}
			f.DeliveryDays = &n
		}
	}
	if v := q.Get("return_to_sender"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, waybill.Invalid(waybill.ReasonFieldInvalid, "return_to_sender must be true or false.")
		}
		f.ReturnToSender = &b
	}
	var err error
	for name, dst := range map[string]*time.Time{"created_at_min": &f.CreatedMin, "created_at_max": &f.CreatedMax,
		"updated_at_min": &f.UpdatedMin, "updated_at_max": &f.UpdatedMax} {
		if *dst, err = queryTime(q, name); err != nil {
			return f, err
		}
	}
	return f, nil
}
