package tracker

import (
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
)

// trackerRequest is the body of a create (and, with fewer fields allowed,
// an update): the seed's request, the only place with its JSON names.
type trackerRequest struct {
	Provider             *string           `json:"provider"`
	TrackingID           *string           `json:"trackingId"`
	TrackerExternalID    *string           `json:"trackerExternalId"`
	LocationExternalID   *string           `json:"locationExternalId"`
	Pickup               *pickupJSON       `json:"pickup"`
	Type                 *string           `json:"type"`
	GroupID              *string           `json:"groupId"`
	OrderAttributes      *map[string]any   `json:"orderAttributes"`
	OrderValue           *float64          `json:"orderValue"`
	PickupTime           *windowJSON       `json:"pickupTime"`
	DeliveryTime         *windowJSON       `json:"deliveryTime"`
	DeliveryContact      *contactJSON      `json:"deliveryContact"`
	DeliveryAddress      *addressJSON      `json:"deliveryAddress"`
	PickupInstructions   *string           `json:"pickupInstructions"`
	DeliveryInstructions *string           `json:"deliveryInstructions"`
	Packages             *[]map[string]any `json:"packages"`
	Items                *[]map[string]any `json:"items"`
	Barcodes             *[]string         `json:"barcodes"`
	CreatedDate          *int64            `json:"createdDate"`
	Locale               *string           `json:"locale"`
}

// pickupJSON is the pickup of a tracker made without a configured
// location: its address, contact and time zone (the vendor documents the
// object but not its fields; these are its location's).
type pickupJSON struct {
	Address  *addressJSON `json:"address"`
	Contact  *contactJSON `json:"contact"`
	TimeZone string       `json:"timeZone"`
}

type windowJSON struct {
	StartsAt *int64 `json:"startsAt"`
	EndsAt   *int64 `json:"endsAt"`
}

type contactJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type addressJSON struct {
	Street1         string   `json:"street1"`
	Street2         string   `json:"street2"`
	City            string   `json:"city"`
	State           string   `json:"state"`
	CountryCode     string   `json:"countryCode"`
	PostalCode      string   `json:"postalCode"`
	Latitude        *float64 `json:"latitude"`
	Longitude       *float64 `json:"longitude"`
	ApartmentNumber string   `json:"apartmentNumber"`
}

// input copies the request into the core's input, under the same names.
func (q trackerRequest) input() waybill.TrackerInput {
	in := waybill.TrackerInput{Provider: q.Provider, TrackingID: q.TrackingID, ExternalID: q.TrackerExternalID,
		LocationExternalID: q.LocationExternalID, Type: q.Type, GroupID: q.GroupID, OrderAttributes: q.OrderAttributes,
		OrderValue: q.OrderValue, PickupInstructions: q.PickupInstructions, DeliveryInstructions: q.DeliveryInstructions,
		Packages: q.Packages, Items: q.Items, Barcodes: q.Barcodes, CreatedDate: q.CreatedDate, Locale: q.Locale,
		PickupTime: q.PickupTime.window(), DeliveryTime: q.DeliveryTime.window(),
		DeliveryContact: q.DeliveryContact.contact(), DeliveryAddress: q.DeliveryAddress.address()}
	if q.Pickup != nil {
		in.Pickup = &waybill.TrackerPickup{Address: q.Pickup.Address.address(), Contact: q.Pickup.Contact.contact(), TimeZone: q.Pickup.TimeZone}
	}
	return in
}

func (w *windowJSON) window() *waybill.TimeWindow {
	if w == nil {
		return nil
	}
	return &waybill.TimeWindow{StartsAt: w.StartsAt, EndsAt: w.EndsAt}
}

func (c *contactJSON) contact() *waybill.TrackerContact {
	if c == nil {
		return nil
	}
	return &waybill.TrackerContact{Name: c.Name, Phone: c.Phone, Email: c.Email}
}

func (a *addressJSON) address() *waybill.TrackerAddress {
	if a == nil {
		return nil
	}
	return &waybill.TrackerAddress{Street1: a.Street1, Street2: a.Street2, City: a.City, State: a.State,
		CountryCode: a.CountryCode, PostalCode: a.PostalCode, Latitude: a.Latitude, Longitude: a.Longitude,
		ApartmentNumber: a.ApartmentNumber}
}

// decode reads a JSON body of at most MaxBodyBytes. A body that is not
// JSON is EINVALID (ReasonInvalidJSON: 400); a value of the wrong JSON type
// is an invalid field (422).
func (a *API) decode(w http.ResponseWriter, r *http.Request) (trackerRequest, error) {
	var q trackerRequest
	data, err := httpserver.ReadBody(w, r, a.MaxBodyBytes)
	if err != nil {
		return q, err
	}
	if !utf8.Valid(data) {
		return q, waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid UTF-8.")
	}
	if err := json.Unmarshal(data, &q); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			msg := typeErr.Field + " has the wrong type: expected " + typeErr.Type.String()
			return q, &waybill.FieldErrors{Err: waybill.Invalid(waybill.ReasonFieldInvalid, "%s", msg),
				Fields: []waybill.FieldProblem{{Field: typeErr.Field, Message: msg}}}
		}
		return q, waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid JSON.")
	}
	return q, nil
}
