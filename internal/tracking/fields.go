package tracking

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/waybillhq/waybill"
)

// Fields are the caller-editable fields of a tracking. A nil pointer leaves
// the stored value as it is; faces fill only what the request carried.
type Fields struct {
	Title                     *string
	OrderID                   *string
	OrderIDPath               *string
	OrderNumber               *string
	OrderDate                 *string
	OrderPromisedDeliveryDate *string
	CustomerName              *string
	Language                  *string
	Note                      *string
	DeliveryType              *string
	PickupLocation            *string
	PickupNote                *string
	OriginCountryISO3         *string
	DestinationCountryISO3    *string
	DestinationCity           *string
	DestinationState          *string
	DestinationPostalCode     *string
	DestinationRawLocation    *string
	ShipmentType              *string
	ShipmentDirection         *string
	ShipmentWeightUnit        *string
	CourierConnectionID       *string
	ShipmentWeight            *float64
	ShipmentPackageCount      *int
	Emails                    *[]string
	Smses                     *[]string
	ShipmentTags              *[]string
	CustomFields              *map[string]string
	CourierFields             *waybill.CourierFields
}

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,20}$`)
	iso3Pattern  = regexp.MustCompile(`^[A-Z]{3}$`)
	datePattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$`)
)

func fieldInvalid(format string, args ...any) error {
	return waybill.Invalid(waybill.ReasonFieldInvalid, format, args...)
}

// validate checks every field present; the first problem is returned as an
// EINVALID error with ReasonFieldInvalid naming the field.
func (f *Fields) validate() error {
	for name, p := range map[string]*string{
		"title": f.Title, "order_id": f.OrderID, "order_id_path": f.OrderIDPath, "order_number": f.OrderNumber,
		"customer_name": f.CustomerName, "note": f.Note, "pickup_location": f.PickupLocation, "pickup_note": f.PickupNote,
		"delivery_type": f.DeliveryType, "shipment_type": f.ShipmentType, "destination_city": f.DestinationCity,
		"destination_state": f.DestinationState, "destination_postal_code": f.DestinationPostalCode,
		"destination_raw_location": f.DestinationRawLocation, "courier_connection_id": f.CourierConnectionID,
	} {
		if p != nil && len(*p) > 512 {
			return fieldInvalid("%s is longer than 512 characters.", name)
		}
	}
	for name, p := range map[string]*string{"origin_country_iso3": f.OriginCountryISO3, "destination_country_iso3": f.DestinationCountryISO3} {
		if p != nil {
			*p = strings.ToUpper(strings.TrimSpace(*p))
			if *p != "" && !iso3Pattern.MatchString(*p) {
				return fieldInvalid("%s must be an ISO 3166-1 alpha-3 code.", name)
			}
		}
	}
	for name, p := range map[string]*string{"order_date": f.OrderDate, "order_promised_delivery_date": f.OrderPromisedDeliveryDate} {
		if p != nil && *p != "" && !datePattern.MatchString(*p) {
			return fieldInvalid("%s must be an ISO 8601 date.", name)
		}
	}
	if f.Language != nil && len(*f.Language) > 16 {
		return fieldInvalid("language must be a language code.")
	}
	if f.ShipmentDirection != nil && *f.ShipmentDirection != "" && *f.ShipmentDirection != "outbound" && *f.ShipmentDirection != "return" {
		return fieldInvalid("shipment_direction must be outbound or return.")
	}
	if f.ShipmentWeight != nil && (*f.ShipmentWeight < 0 || *f.ShipmentWeight > 1e7) {
		return fieldInvalid("shipment_weight must be a positive number.")
	}
	if f.ShipmentPackageCount != nil && (*f.ShipmentPackageCount < 0 || *f.ShipmentPackageCount > 10000) {
		return fieldInvalid("shipment_package_count must be between 0 and 10000.")
	}
	if f.Emails != nil {
		if err := validateEmails(*f.Emails); err != nil {
			return err
		}
	}
	if f.Smses != nil {
		if err := validateSmses(*f.Smses); err != nil {
			return err
		}
	}
	if f.ShipmentTags != nil && len(*f.ShipmentTags) > 50 {
		return fieldInvalid("shipment_tags has more than 50 tags.")
	}
	if f.CustomFields != nil {
		if len(*f.CustomFields) > 100 {
			return fieldInvalid("custom_fields has more than 100 keys.")
		}
		for k, v := range *f.CustomFields {
			if len(k) > 256 || len(v) > 2048 {
				return fieldInvalid("custom_fields key or value is too long.")
			}
		}
	}
	return nil
}

func validateEmails(emails []string) error {
	if len(emails) > 10 {
		return fieldInvalid("emails has more than 10 addresses.")
	}
	for _, e := range emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return fieldInvalid("emails: %q is not an email address.", e)
		}
	}
	return nil
}

func validateSmses(smses []string) error {
	if len(smses) > 10 {
		return fieldInvalid("smses has more than 10 numbers.")
	}
	for _, s := range smses {
		if !phonePattern.MatchString(s) {
			return fieldInvalid("smses: %q is not a phone number.", s)
		}
	}
	return nil
}

// apply copies every present field onto t.
func (f *Fields) apply(t *waybill.Tracking) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&t.Title, f.Title)
	set(&t.OrderID, f.OrderID)
	set(&t.OrderIDPath, f.OrderIDPath)
	set(&t.OrderNumber, f.OrderNumber)
	set(&t.OrderDate, f.OrderDate)
	set(&t.OrderPromisedDeliveryDate, f.OrderPromisedDeliveryDate)
	set(&t.CustomerName, f.CustomerName)
	set(&t.Language, f.Language)
	set(&t.Note, f.Note)
	set(&t.DeliveryType, f.DeliveryType)
	set(&t.PickupLocation, f.PickupLocation)
	set(&t.PickupNote, f.PickupNote)
	set(&t.OriginCountryISO3, f.OriginCountryISO3)
	set(&t.DestinationCountryISO3, f.DestinationCountryISO3)
	set(&t.DestinationCity, f.DestinationCity)
	set(&t.DestinationState, f.DestinationState)
	set(&t.DestinationPostalCode, f.DestinationPostalCode)
	set(&t.DestinationRawLocation, f.DestinationRawLocation)
	set(&t.ShipmentType, f.ShipmentType)
	set(&t.ShipmentDirection, f.ShipmentDirection)
	set(&t.ShipmentWeightUnit, f.ShipmentWeightUnit)
	set(&t.CourierConnectionID, f.CourierConnectionID)
	if f.ShipmentWeight != nil {
		w := *f.ShipmentWeight
		t.ShipmentWeight = &w
	}
	if f.ShipmentPackageCount != nil {
		t.ShipmentPackageCount = *f.ShipmentPackageCount
	}
	if f.Emails != nil {
		t.Emails = append([]string(nil), *f.Emails...)
	}
	if f.Smses != nil {
		t.Smses = append([]string(nil), *f.Smses...)
	}
	if f.ShipmentTags != nil {
		t.ShipmentTags = append([]string(nil), *f.ShipmentTags...)
	}
	if f.CustomFields != nil {
		t.CustomFields = make(map[string]string, len(*f.CustomFields))
		for k, v := range *f.CustomFields {
			t.CustomFields[k] = v
		}
	}
	if f.CourierFields != nil {
		t.CourierFields = *f.CourierFields
	}
}
