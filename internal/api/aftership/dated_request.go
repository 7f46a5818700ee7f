package aftership

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
)

// trackingRequestDated is the body of POST /trackings and PUT
// /trackings/{id} in the dated API (the SDK's CreateTrackingRequest and
// UpdateTrackingByIdRequest): the tracking object itself, not wrapped.
// Pointers tell a field that was sent from one that was not.
//
// Fields the core cannot keep yet (origin_state, origin_city,
// origin_postal_code, origin_raw_location, location_id, shipping_method,
// last_mile) are type-checked and then dropped: they are hints to
// AfterShip, and refusing them would break clients that always send them.
type trackingRequestDated struct {
	ID                        *string          `json:"id"`
	TrackingNumber            *string          `json:"tracking_number"`
	Slug                      json.RawMessage  `json:"slug"` // a string; a list of candidates is accepted too
	SlugGroup                 *string          `json:"slug_group"`
	Title                     *string          `json:"title"`
	OrderID                   *string          `json:"order_id"`
	OrderIDPath               *string          `json:"order_id_path"`
	OrderNumber               *string          `json:"order_number"`
	OrderDate                 *string          `json:"order_date"`
	CustomFields              json.RawMessage  `json:"custom_fields"`
	Language                  *string          `json:"language"`
	OrderPromisedDeliveryDate json.RawMessage  `json:"order_promised_delivery_date"`
	PickupLocation            *string          `json:"pickup_location"`
	DeliveryType              *string          `json:"delivery_type"`
	PickupNote                *string          `json:"pickup_note"`
	TrackingAccountNumber     *string          `json:"tracking_account_number"`
	TrackingKey               *string          `json:"tracking_key"`
	TrackingShipDate          *string          `json:"tracking_ship_date"`
	OriginCountryRegion       *string          `json:"origin_country_region"`
	OriginState               *string          `json:"origin_state"`
	OriginCity                *string          `json:"origin_city"`
	OriginPostalCode          *string          `json:"origin_postal_code"`
	OriginRawLocation         *string          `json:"origin_raw_location"`
	DestinationCountryRegion  *string          `json:"destination_country_region"`
	DestinationState          *string          `json:"destination_state"`
	DestinationCity           *string          `json:"destination_city"`
	DestinationPostalCode     *string          `json:"destination_postal_code"`
	DestinationRawLocation    *string          `json:"destination_raw_location"`
	Note                      *string          `json:"note"`
	ShipmentType              *string          `json:"shipment_type"`
	ShipmentTags              *[]string        `json:"shipment_tags"`
	CourierConnectionID       *string          `json:"courier_connection_id"`
	LocationID                *string          `json:"location_id"`
	ShippingMethod            *string          `json:"shipping_method"`
	LastMile                  *lastMileRequest `json:"last_mile"`
	Customers                 *[]customerDated `json:"customers"`
	ShipmentDirection         *string          `json:"shipment_direction"`
	Emails                    *[]string        `json:"emails"` // not in 2026-07; older clients still send them
	Smses                     *[]string        `json:"smses"`
}

type lastMileRequest struct {
	TrackingNumber *string `json:"tracking_number"`
	Slug           *string `json:"slug"`
}

// customerDated is one entry of customers[], in requests and responses.
type customerDated struct {
	Role        *string `json:"role"`
	Name        *string `json:"name"`
	PhoneNumber *string `json:"phone_number"`
	Email       *string `json:"email"`
	Language    *string `json:"language"`
	ID          *string `json:"id"`
}

// maxCustomers is AfterShip's limit on customers[].
const maxCustomers = 3

// readDatedBody reads a request body of at most MaxBodyBytes. It returns
// nil for an empty or null body (the caller decides what that means), 413
// for a body over the limit, and 4001 for one that is not JSON.
func (a *API) readDatedBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	if !json.Valid(data) {
		return nil, waybill.Invalid(waybill.ReasonInvalidJSON, "Invalid JSON data.")
	}
	return data, nil
}

// decodeTrackingDated decodes the tracking object of a create or update
// body. An empty or null body gives 4006.
func decodeTrackingDated(body []byte) (*trackingRequestDated, error) {
	if body == nil {
		return nil, waybill.Invalid(waybill.ReasonTrackingRequired, "tracking object is required.")
	}
	var req trackingRequestDated
	if err := unmarshalObject(body, &req); err != nil {
		return nil, err
	}
	return &req, nil
}

// createInputDated turns a dated create body into the core's input. It
// checks only the shapes of the wire (types, objects, lists); the values are
// the core's to judge (waybill.CreateTrackingInput.Validate), as for v4.
func createInputDated(body []byte) (waybill.CreateTrackingInput, error) {
	req, err := decodeTrackingDated(body)
	if err != nil {
		return waybill.CreateTrackingInput{}, err
	}
	in := waybill.CreateTrackingInput{Source: "api"}
	if req.ID != nil && *req.ID != "" {
		return in, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of id is invalid: Waybill assigns tracking ids; leave id out and use the id in the response.")
	}
	if req.TrackingNumber != nil {
		in.TrackingNumber = *req.TrackingNumber
	}
	one, many, err := parseSlug(req.Slug)
	if err != nil {
		return in, err
	}
	in.Slug, in.Candidates = one, many
	if req.SlugGroup != nil {
		in.SlugGroup = *req.SlugGroup
	}
	if in.Fields, err = req.fields(waybill.CourierFields{}, ""); err != nil {
		return in, err
	}
	return in, nil
}

// updateInputDated turns a dated update body into the core's input for the
// tracking cur.
func updateInputDated(body []byte, cur waybill.Tracking) (waybill.UpdateTrackingInput, error) {
	req, err := decodeTrackingDated(body)
	if err != nil {
		return waybill.UpdateTrackingInput{}, err
	}
	var in waybill.UpdateTrackingInput
	one, many, err := parseSlug(req.Slug)
	if err != nil {
		return in, err
	}
	if many != nil {
		return in, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of slug is invalid.")
	}
	in.Slug = one
	if in.Fields, err = req.fields(cur.CourierFields, cur.Language); err != nil {
		return in, err
	}
	return in, nil
}

// fields maps the request onto the core's editable fields. base is the
// tracking's current courier fields (zero on create), onto which the
// courier-required values sent are laid; curLanguage is its language.
// Values go to the core as sent (alpha-2 country codes, "forward"): the
// core reads them.
func (r *trackingRequestDated) fields(base waybill.CourierFields, curLanguage string) (waybill.TrackingFields, error) {
	f := waybill.TrackingFields{
		Title: r.Title, OrderID: r.OrderID, OrderIDPath: r.OrderIDPath, OrderNumber: r.OrderNumber,
		OrderDate: r.OrderDate, Language: r.Language, Note: r.Note, PickupLocation: r.PickupLocation,
		PickupNote: r.PickupNote, ShipmentType: r.ShipmentType, DestinationCity: r.DestinationCity,
		DestinationState: r.DestinationState, DestinationPostalCode: r.DestinationPostalCode,
		DestinationRawLocation: r.DestinationRawLocation, CourierConnectionID: r.CourierConnectionID,
		ShipmentTags: r.ShipmentTags, OriginCountryISO3: r.OriginCountryRegion,
		DestinationCountryISO3: r.DestinationCountryRegion, DeliveryType: r.DeliveryType,
		ShipmentDirection: r.ShipmentDirection,
	}
	var err error
	if f.OrderPromisedDeliveryDate, err = promisedDate(r.OrderPromisedDeliveryDate); err != nil {
		return f, err
	}
	if f.CustomFields, err = customFields(r.CustomFields); err != nil {
		return f, err
	}
	if err := r.recipients(&f, curLanguage); err != nil {
		return f, err
	}

	// The 2026-07 courier-required fields are the address fields
	// themselves (destination_postal_code, destination_state, the country
	// regions); the core keeps them as courier fields too, under the v4
	// names, so detection and connectors see them.
	changed := false
	set := func(dst *string, src *string) {
		if src != nil {
			*dst, changed = strings.TrimSpace(*src), true
		}
	}
	set(&base.AccountNumber, r.TrackingAccountNumber)
	set(&base.Key, r.TrackingKey)
	set(&base.ShipDate, r.TrackingShipDate)
	set(&base.PostalCode, r.DestinationPostalCode)
	set(&base.State, r.DestinationState)
	set(&base.OriginCountry, countryISO3(f.OriginCountryISO3))
	set(&base.DestinationCountry, countryISO3(f.DestinationCountryISO3))
	if changed {
		f.CourierFields = &base
	}
	return f, nil
}

// recipients maps customers[] (and the emails and smses older clients send)
// onto the core's single customer name and its email and SMS lists.
// customers, when sent, replaces the recipients; emails and smses add to
// them.
func (r *trackingRequestDated) recipients(f *waybill.TrackingFields, curLanguage string) error {
	if r.Customers == nil && r.Emails == nil && r.Smses == nil {
		return nil
	}
	var emails, smses []string
	if r.Customers != nil {
		cs := *r.Customers
		if len(cs) > maxCustomers {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "customers holds at most %d customers.", maxCustomers)
		}
		var name, lang string
		for _, c := range cs {
			if c.Email != nil && strings.TrimSpace(*c.Email) != "" {
				emails = append(emails, strings.TrimSpace(*c.Email))
			}
			if c.PhoneNumber != nil && strings.TrimSpace(*c.PhoneNumber) != "" {
				smses = append(smses, strings.TrimSpace(*c.PhoneNumber))
			}
			if name == "" && c.Name != nil {
				name = strings.TrimSpace(*c.Name)
			}
			if lang == "" && c.Language != nil {
				lang = strings.TrimSpace(*c.Language)
			}
		}
		f.CustomerName = &name
		if f.Language == nil && lang != "" && curLanguage == "" {
			f.Language = &lang
		}
	}
	if r.Emails != nil {
		emails = appendNew(emails, *r.Emails)
	}
	if r.Smses != nil {
		smses = appendNew(smses, *r.Smses)
	}
	if r.Customers != nil || r.Emails != nil {
		f.Emails = &emails
	}
	if r.Customers != nil || r.Smses != nil {
		f.Smses = &smses
	}
	return nil
}

// appendNew appends the values of b that a does not hold yet.
func appendNew(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

// countryISO3 returns a country code sent as the alpha-3 code the courier
// fields keep, when it is one; anything else is passed on for the core to
// refuse.
func countryISO3(v *string) *string {
	if v == nil {
		return nil
	}
	if iso3, ok := waybill.NormalizeCountry(*v); ok {
		return &iso3
	}
	return v
}

// promisedDate reads order_promised_delivery_date: the 2026-07 object
// {promised_delivery_date, _min, _max}, or a plain date as in v4. The core
// keeps one date: the promised date, else the end of the range.
func promisedDate(raw json.RawMessage) (*string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var s string
	if string(raw) == "null" {
		return &s, nil
	}
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var obj struct {
		Date *string `json:"promised_delivery_date"`
		Min  *string `json:"promised_delivery_date_min"`
		Max  *string `json:"promised_delivery_date_max"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of order_promised_delivery_date is invalid.")
	}
	for _, p := range []*string{obj.Date, obj.Max, obj.Min} {
		if p != nil && *p != "" {
			return p, nil
		}
	}
	return &s, nil
}

// customFields reads custom_fields, an object of strings. Numbers and
// booleans are kept as their JSON text; null clears the fields.
func customFields(raw json.RawMessage) (*map[string]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	if string(raw) == "null" {
		return &out, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of custom_fields is invalid.")
	}
	for k, v := range obj {
		if err := scalarString(v, func(s string) { out[k] = s }); err != nil {
			return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of custom_fields is invalid: values must be strings.")
		}
	}
	return &out, nil
}

// scalarString passes a JSON string's value, or a number's or boolean's
// text, to set; null is skipped; objects and arrays are an error.
func scalarString(v json.RawMessage, set func(string)) error {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return nil
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		set(s)
	case v[0] == '{' || v[0] == '[':
		return errors.New("not a scalar")
	default:
		set(string(v))
	}
	return nil
}
