package waybill

import (
	"regexp"
	"slices"
	"strings"
)

// TrackingFields are the caller-editable fields of a tracking. A nil pointer
// leaves the stored value as it is; faces fill only what the request
// carried, under the core's names (origin_country_iso3, ...), and translate
// their wire values no further than their dialect needs: Validate decides
// what is acceptable, for every face alike.
type TrackingFields struct {
	Title                     *string
	OrderID                   *string
	OrderIDPath               *string
	OrderNumber               *string
	OrderDate                 *string // ISO 8601 date or date and time
	OrderPromisedDeliveryDate *string // ISO 8601 date or date and time
	CustomerName              *string
	Language                  *string
	Note                      *string
	DeliveryType              *string // one of DeliveryTypes, or ""
	PickupLocation            *string
	PickupNote                *string
	OriginCountryISO3         *string // ISO 3166-1, alpha-2 or alpha-3; kept as alpha-3
	DestinationCountryISO3    *string // ISO 3166-1, alpha-2 or alpha-3; kept as alpha-3
	DestinationCity           *string
	DestinationState          *string
	DestinationPostalCode     *string
	DestinationRawLocation    *string
	ShipmentType              *string
	ShipmentDirection         *string // outbound (or forward), return, or ""
	ShipmentWeightUnit        *string
	CourierConnectionID       *string
	ShipmentWeight            *float64
	ShipmentPackageCount      *int
	Emails                    *[]string
	Smses                     *[]string
	ShipmentTags              *[]string
	CustomFields              *map[string]string
	CourierFields             *CourierFields
}

// DeliveryTypes are the values of a tracking's delivery type besides "".
var DeliveryTypes = []string{"pickup_at_store", "pickup_at_courier", "door_to_door"}

// Shipment directions as stored. "forward", the 2026-07 spelling of
// outbound, is accepted on input and stored as outbound.
const (
	DirectionOutbound = "outbound"
	DirectionReturn   = "return"
)

// Validate checks every field present and normalizes some in place: country
// codes become alpha-3, "forward" becomes outbound. The first problem is
// returned as an EINVALID error with ReasonFieldInvalid naming the field by
// its core name (origin_country_iso3, ...). Validate changes what f's
// pointers point to only by pointing them at new values, never by writing
// through them.
func (f *TrackingFields) Validate() error {
	for _, s := range []struct {
		name  string
		p     *string
		limit int
		text  bool
	}{
		{"title", f.Title, MaxTextLen, false},
		{"order_id", f.OrderID, MaxTextLen, false},
		{"order_id_path", f.OrderIDPath, MaxTextLen, false},
		{"order_number", f.OrderNumber, MaxTextLen, false},
		{"customer_name", f.CustomerName, MaxTextLen, false},
		{"note", f.Note, MaxTextLen, true},
		{"pickup_location", f.PickupLocation, MaxTextLen, true},
		{"pickup_note", f.PickupNote, MaxTextLen, true},
		{"delivery_type", f.DeliveryType, MaxCodeLen, false},
		{"shipment_type", f.ShipmentType, MaxTextLen, false},
		{"destination_city", f.DestinationCity, MaxTextLen, false},
		{"destination_state", f.DestinationState, MaxTextLen, false},
		{"destination_postal_code", f.DestinationPostalCode, MaxTextLen, false},
		{"destination_raw_location", f.DestinationRawLocation, MaxTextLen, true},
		{"courier_connection_id", f.CourierConnectionID, MaxTextLen, false},
		{"language", f.Language, 16, false},
		{"shipment_weight_unit", f.ShipmentWeightUnit, 16, false},
		{"shipment_direction", f.ShipmentDirection, MaxCodeLen, false},
		{"order_date", f.OrderDate, MaxCodeLen, false},
		{"order_promised_delivery_date", f.OrderPromisedDeliveryDate, MaxCodeLen, false},
		{"origin_country_iso3", f.OriginCountryISO3, MaxCodeLen, false},
		{"destination_country_iso3", f.DestinationCountryISO3, MaxCodeLen, false},
	} {
		if s.p == nil {
			continue
		}
		if err := checkString(s.name, *s.p, s.limit, s.text); err != nil {
			return err
		}
	}
	var err error
	if f.OriginCountryISO3, err = countryField("origin_country_iso3", f.OriginCountryISO3); err != nil {
		return err
	}
	if f.DestinationCountryISO3, err = countryField("destination_country_iso3", f.DestinationCountryISO3); err != nil {
		return err
	}
	for name, p := range map[string]*string{"order_date": f.OrderDate, "order_promised_delivery_date": f.OrderPromisedDeliveryDate} {
		if p != nil && strings.TrimSpace(*p) != "" && !ValidDate(strings.TrimSpace(*p)) {
			return fieldInvalid("The value of %s is invalid: use a real ISO 8601 date (YYYY-MM-DD, optionally with a time).", name)
		}
	}
	if f.Language != nil && *f.Language != "" && !languagePattern.MatchString(*f.Language) {
		return fieldInvalid("The value of language is invalid: use a language code.")
	}
	if f.DeliveryType != nil {
		if v := strings.TrimSpace(*f.DeliveryType); v != "" && !slices.Contains(DeliveryTypes, v) {
			return fieldInvalid("The value of delivery_type is invalid: use one of %s.", strings.Join(DeliveryTypes, ", "))
		}
	}
	if f.ShipmentDirection != nil {
		switch d := strings.TrimSpace(*f.ShipmentDirection); d {
		case "", DirectionOutbound, DirectionReturn:
		case "forward":
			out := DirectionOutbound
			f.ShipmentDirection = &out
		default:
			return fieldInvalid("The value of shipment_direction is invalid: use forward, outbound or return.")
		}
	}
	if f.ShipmentWeight != nil && (*f.ShipmentWeight < 0 || *f.ShipmentWeight > 1e7) {
		return fieldInvalid("shipment_weight must be a positive number.")
	}
	if f.ShipmentPackageCount != nil && (*f.ShipmentPackageCount < 0 || *f.ShipmentPackageCount > 10000) {
		return fieldInvalid("shipment_package_count must be between 0 and 10000.")
	}
	var emails, smses []string
	if f.Emails != nil {
		emails = *f.Emails
	}
	if f.Smses != nil {
		smses = *f.Smses
	}
	if err := validateRecipients(emails, smses); err != nil {
		return err
	}
	if f.ShipmentTags != nil {
		if len(*f.ShipmentTags) > MaxShipmentTags {
			return fieldInvalid("shipment_tags has more than %d tags.", MaxShipmentTags)
		}
		for _, tag := range *f.ShipmentTags {
			if err := checkLine("shipment_tags", tag, MaxTagLen); err != nil {
				return err
			}
		}
	}
	if f.CustomFields != nil {
		if len(*f.CustomFields) > MaxCustomFields {
			return fieldInvalid("custom_fields has more than %d keys.", MaxCustomFields)
		}
		for k, v := range *f.CustomFields {
			if err := checkLine("custom_fields", k, MaxCustomKeyLen); err != nil {
				return err
			}
			if err := checkText("custom_fields", v, MaxCustomValueLen); err != nil {
				return err
			}
		}
	}
	if f.CourierFields != nil {
		return f.CourierFields.Validate()
	}
	return nil
}

var languagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)

// countryField validates and normalizes a country field: "" clears it, any
// ISO 3166-1 code becomes its alpha-3 code.
func countryField(name string, p *string) (*string, error) {
	if p == nil {
		return nil, nil
	}
	code := strings.TrimSpace(*p)
	if code == "" {
		return &code, nil
	}
	iso3, ok := NormalizeCountry(code)
	if !ok {
		return nil, fieldInvalid("The value of %s is invalid: use an ISO 3166-1 country code.", name)
	}
	return &iso3, nil
}

// Validate checks the courier-required fields: single-line strings of at
// most MaxTextLen bytes.
func (c *CourierFields) Validate() error {
	for _, s := range []struct{ name, v string }{
		{"tracking_postal_code", c.PostalCode}, {"tracking_ship_date", c.ShipDate},
		{"tracking_account_number", c.AccountNumber}, {"tracking_key", c.Key},
		{"tracking_origin_country", c.OriginCountry}, {"tracking_destination_country", c.DestinationCountry},
		{"tracking_state", c.State},
	} {
		if err := checkLine(s.name, s.v, MaxTextLen); err != nil {
			return err
		}
	}
	return nil
}

// Apply copies every present field onto t, trimming spaces.
func (f *TrackingFields) Apply(t *Tracking) {
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

// CreateTrackingInput is a request to start following a parcel.
type CreateTrackingInput struct {
	TrackingNumber string
	Slug           string   // the courier, when the caller knows it
	SlugGroup      string   // narrows detection when Slug is empty (e.g. "fedex-group")
	Candidates     []string // narrows detection to these slugs when Slug is empty
	Source         string   // api, import, onport, ...
	Fields         TrackingFields
}

// Validate checks the input before the core resolves its courier: the
// tracking number is present (ReasonNumberRequired) and a clean string
// (ReasonNumberInvalid), the slugs are clean strings (ReasonSlugInvalid),
// and the fields pass TrackingFields.Validate. Whether the slug names a
// courier, and the number fits it, the core decides after.
func (in *CreateTrackingInput) Validate() error {
	if strings.TrimSpace(in.TrackingNumber) == "" {
		return Invalid(ReasonNumberRequired, "tracking_number is required.")
	}
	if !CleanLine(in.TrackingNumber, 4*MaxCodeLen) {
		return Invalid(ReasonNumberInvalid, "The value of tracking_number is invalid.")
	}
	if !CleanLine(in.Slug, MaxCodeLen) {
		return Invalid(ReasonSlugInvalid, "The value of slug is invalid.")
	}
	if len(in.Candidates) > MaxCandidates {
		return Invalid(ReasonSlugInvalid, "The value of slug is invalid: at most %d candidates.", MaxCandidates)
	}
	for _, c := range in.Candidates {
		if !CleanLine(c, MaxCodeLen) {
			return Invalid(ReasonSlugInvalid, "The value of slug is invalid.")
		}
	}
	if err := checkLine("slug_group", in.SlugGroup, MaxCodeLen); err != nil {
		return err
	}
	if err := checkLine("source", in.Source, MaxCodeLen); err != nil {
		return err
	}
	return in.Fields.Validate()
}

// UpdateTrackingInput changes a tracking. Slug, when set, moves the tracking
// to another courier (the number stays), as AfterShip allows.
type UpdateTrackingInput struct {
	Slug   string
	Fields TrackingFields
}

// Validate checks the input as CreateTrackingInput.Validate does.
func (in *UpdateTrackingInput) Validate() error {
	if !CleanLine(in.Slug, MaxCodeLen) {
		return Invalid(ReasonSlugInvalid, "The value of slug is invalid.")
	}
	return in.Fields.Validate()
}

// TrackingNotifications are recipients to add to or remove from a tracking's
// customer notifications.
type TrackingNotifications struct {
	Emails []string
	Smses  []string
}

// Validate checks recipients to add: at most MaxRecipients of each, each a
// plain email address or phone number.
func (n *TrackingNotifications) Validate() error {
	return validateRecipients(n.Emails, n.Smses)
}
