package aftership

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/waybillhq/waybill"
)

// trackingRequestV4 is the tracking object a v4 client sends to create or
// update. Pointers tell a field that was sent from one that was not.
type trackingRequestV4 struct {
	TrackingNumber             *string            `json:"tracking_number"`
	Slug                       json.RawMessage    `json:"slug"` // a string, or a list of candidates
	SlugGroup                  *string            `json:"slug_group"`
	Title                      *string            `json:"title"`
	Smses                      *[]string          `json:"smses"`
	Emails                     *[]string          `json:"emails"`
	OrderID                    *string            `json:"order_id"`
	OrderIDPath                *string            `json:"order_id_path"`
	OrderNumber                *string            `json:"order_number"`
	OrderDate                  *string            `json:"order_date"`
	CustomFields               *map[string]string `json:"custom_fields"`
	Language                   *string            `json:"language"`
	OrderPromisedDeliveryDate  *string            `json:"order_promised_delivery_date"`
	DeliveryType               *string            `json:"delivery_type"`
	PickupLocation             *string            `json:"pickup_location"`
	PickupNote                 *string            `json:"pickup_note"`
	CustomerName               *string            `json:"customer_name"`
	Note                       *string            `json:"note"`
	OriginCountryISO3          *string            `json:"origin_country_iso3"`
	DestinationCountryISO3     *string            `json:"destination_country_iso3"`
	DestinationRawLocation     *string            `json:"destination_raw_location"`
	ShipmentDirection          *string            `json:"shipment_direction"` // as in 2026-07; v4 clients may send it
	ShipmentType               *string            `json:"shipment_type"`
	CourierConnectionID        *string            `json:"courier_connection_id"`
	TrackingAccountNumber      *string            `json:"tracking_account_number"`
	TrackingOriginCountry      *string            `json:"tracking_origin_country"`
	TrackingDestinationCountry *string            `json:"tracking_destination_country"`
	TrackingKey                *string            `json:"tracking_key"`
	TrackingPostalCode         *string            `json:"tracking_postal_code"`
	TrackingShipDate           *string            `json:"tracking_ship_date"`
	TrackingState              *string            `json:"tracking_state"`
}

// unmarshalObject decodes one JSON object. A value of the wrong type gives
// 4008 naming the field; anything else unreadable gives 4001.
func unmarshalObject(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "The value of %s is invalid.", typeErr.Field)
		}
		return waybill.Invalid(waybill.ReasonInvalidJSON, "Invalid JSON data.")
	}
	return nil
}

// slugs reads `slug` as one slug or a list of candidates.
func parseSlug(raw json.RawMessage) (one string, many []string, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	if err := json.Unmarshal(raw, &one); err == nil {
		return one, nil, nil
	}
	if err := json.Unmarshal(raw, &many); err == nil {
		return "", many, nil
	}
	return "", nil, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of slug is invalid.")
}

func (r *trackingRequestV4) courierFields(base waybill.CourierFields) (*waybill.CourierFields, bool) {
	changed := false
	set := func(dst *string, src *string) {
		if src != nil {
			*dst, changed = strings.TrimSpace(*src), true
		}
	}
	set(&base.AccountNumber, r.TrackingAccountNumber)
	set(&base.OriginCountry, r.TrackingOriginCountry)
	set(&base.DestinationCountry, r.TrackingDestinationCountry)
	set(&base.Key, r.TrackingKey)
	set(&base.PostalCode, r.TrackingPostalCode)
	set(&base.ShipDate, r.TrackingShipDate)
	set(&base.State, r.TrackingState)
	return &base, changed
}

func (r *trackingRequestV4) fields() waybill.TrackingFields {
	return waybill.TrackingFields{
		Title: r.Title, Smses: r.Smses, Emails: r.Emails, OrderID: r.OrderID, OrderIDPath: r.OrderIDPath,
		OrderNumber: r.OrderNumber, OrderDate: r.OrderDate, CustomFields: r.CustomFields, Language: r.Language,
		OrderPromisedDeliveryDate: r.OrderPromisedDeliveryDate, DeliveryType: r.DeliveryType,
		PickupLocation: r.PickupLocation, PickupNote: r.PickupNote, CustomerName: r.CustomerName, Note: r.Note,
		OriginCountryISO3: r.OriginCountryISO3, DestinationCountryISO3: r.DestinationCountryISO3,
		ShipmentType: r.ShipmentType, CourierConnectionID: r.CourierConnectionID,
		DestinationRawLocation: r.DestinationRawLocation, ShipmentDirection: r.ShipmentDirection,
	}
}

// createInput turns a v4 create request into the core's input.
func (r *trackingRequestV4) createInput() (waybill.CreateTrackingInput, error) {
	in := waybill.CreateTrackingInput{Source: "api", Fields: r.fields()}
	if r.TrackingNumber != nil {
		in.TrackingNumber = *r.TrackingNumber
	}
	one, many, err := parseSlug(r.Slug)
	if err != nil {
		return in, err
	}
	in.Slug, in.Candidates = one, many
	if r.SlugGroup != nil {
		in.SlugGroup = *r.SlugGroup
	}
	if cf, changed := r.courierFields(waybill.CourierFields{}); changed {
		in.Fields.CourierFields = cf
	}
	return in, nil
}
