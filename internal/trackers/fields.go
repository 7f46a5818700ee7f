package trackers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/tracking"
)

// trackingFields are the tracking's fields that come from its tracker: the
// order (order_id is the group, so that the order page shows the group, or
// else the trackerExternalId; order_number the trackerExternalId), the
// customer (deliveryContact, who also receives the notifications, as an
// Onport sale's customer does), the destination and the dates. Every value
// fits the tracking's own rules.
func trackingFields(tr waybill.Tracker) tracking.Fields {
	str := func(s string) *string { return &s }
	orderID := tr.ExternalID
	if tr.GroupID != "" {
		orderID = tr.GroupID
	}
	f := tracking.Fields{OrderID: str(orderID), OrderNumber: str(tr.ExternalID), CustomerName: str(tr.DeliveryContact.Name)}
	emails, phones := waybill.Recipients([]string{tr.DeliveryContact.Email}, []string{tr.DeliveryContact.Phone})
	if emails == nil {
		emails = []string{}
	}
	if phones == nil {
		phones = []string{}
	}
	f.Emails, f.Smses = &emails, &phones
	if a := tr.DeliveryAddress; a != nil {
		iso3, _ := waybill.CountryISO3(a.CountryCode)
		f.DestinationCountryISO3, f.DestinationCity, f.DestinationState, f.DestinationPostalCode = str(iso3), str(a.City), str(a.State), str(a.PostalCode)
	}
	if tr.CreatedDate != nil {
		f.OrderDate = str(millisISO(*tr.CreatedDate))
	}
	if tr.DeliveryTime != nil && tr.DeliveryTime.EndsAt != nil {
		f.OrderPromisedDeliveryDate = str(millisISO(*tr.DeliveryTime.EndsAt))
	}
	if base := localeBase(tr.Locale); slices.Contains(waybill.PageLanguages, base) {
		f.Language = str(base)
	}
	switch tr.Type {
	case waybill.TrackerPickupType:
		f.DeliveryType = str("pickup_at_store")
	case waybill.TrackerDelivery:
		f.DeliveryType = str("door_to_door")
	}
	if len(tr.Packages) > 0 {
		n := len(tr.Packages)
		f.ShipmentPackageCount = &n
	}
	custom := map[string]string{}
	for k, v := range tr.OrderAttributes {
		if s, ok := scalar(v); ok && len(k) <= waybill.MaxCustomKeyLen && len(s) <= waybill.MaxCustomValueLen && len(custom) < waybill.MaxCustomFields {
			custom[k] = s
		}
	}
	f.CustomFields = &custom
	return f
}

// scalar renders a JSON string, number or boolean as text.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func millisISO(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z07:00")
}

func localeBase(locale string) string {
	parts := strings.FieldsFunc(locale, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 {
		return ""
	}
	return strings.ToLower(parts[0])
}

// trackingIDProblem turns the tracking core's refusal of a number into the
// tracker's field error.
func trackingIDProblem(err error) error {
	return fieldError("trackingId", fmt.Sprintf("trackingId cannot be tracked: %s", waybill.ErrorMessage(err)))
}

// fieldError is an EUNPROCESSABLE error about one field.
func fieldError(field, message string) error {
	return &waybill.FieldErrors{Err: &waybill.Error{Code: waybill.EUNPROCESSABLE, Reason: waybill.ReasonFieldInvalid, Message: message},
		Fields: []waybill.FieldProblem{{Field: field, Message: message}}}
}
