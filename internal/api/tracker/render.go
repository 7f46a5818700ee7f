package tracker

import (
	"strings"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/trackers"
)

// trackerJSON is the seed's response, field for field and in its order,
// followed by what Waybill adds: items, barcodes, createdDate and locale
// echo the request, referenceLinks carries trackingUrl and returnsUrl, and
// warnings appear when there are any.
type trackerJSON struct {
	LocationExternalID    *string           `json:"locationExternalId"`
	TrackingID            string            `json:"trackingId"`
	BrandExternalID       string            `json:"brandExternalId"`
	OrderExternalID       string            `json:"orderExternalId"`
	Packages              []map[string]any  `json:"packages"`
	Type                  string            `json:"type"`
	OrderAttributes       map[string]any    `json:"orderAttributes"`
	OrderValue            *float64          `json:"orderValue"`
	Status                string            `json:"status"`
	PickupTime            *windowOut        `json:"pickupTime"`
	DeliveryTime          *windowOut        `json:"deliveryTime"`
	EstimatedPickupTime   estimateOut       `json:"estimatedPickupTime"`
	EstimatedDeliveryTime estimateOut       `json:"estimatedDeliveryTime"`
	Tips                  *float64          `json:"tips"`
	LastLocation          *locationOut      `json:"lastLocation"`
	Driver                *struct{}         `json:"driver"`
	Vehicle               *struct{}         `json:"vehicle"`
	Provider              providerOut       `json:"provider"`
	CurrencyCode          *string           `json:"currencyCode"`
	DeliveryAddress       *deliveryAddrOut  `json:"deliveryAddress"`
	DeliveryContact       *contactOut       `json:"deliveryContact"`
	DeliveryInstructions  *string           `json:"deliveryInstructions"`
	PickupInstructions    *string           `json:"pickupInstructions"`
	GroupID               *string           `json:"groupId"`
	TimeZone              *string           `json:"timeZone"`
	PickupContact         *pickupContactOut `json:"pickupContact"`
	PickupAddress         *pickupAddrOut    `json:"pickupAddress"`
	ID                    string            `json:"id"`
	ReferenceLinks        referenceLinks    `json:"referenceLinks"`
	TrackerExternalID     string            `json:"trackerExternalId"`
	Source                sourceOut         `json:"source"`
	Items                 []map[string]any  `json:"items"`
	Barcodes              []string          `json:"barcodes"`
	CreatedDate           *int64            `json:"createdDate"`
	Locale                *string           `json:"locale"`
	Warnings              []warningOut      `json:"warnings,omitempty"`
}

type windowOut struct {
	StartsAt *int64 `json:"startsAt"`
	EndsAt   *int64 `json:"endsAt"`
}

type estimateOut struct {
	StartsAt *int64 `json:"startsAt"`
}

type locationOut struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type providerOut struct {
	Name        string `json:"name"`
	ServiceType string `json:"serviceType"`
	DisplayName string `json:"displayName"`
	ID          string `json:"id"`
	ServiceID   string `json:"serviceId"`
}

type deliveryAddrOut struct {
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

type pickupAddrOut struct {
	Street1     string   `json:"street1"`
	Street2     string   `json:"street2"`
	City        string   `json:"city"`
	PostalCode  string   `json:"postalCode"`
	CountryCode string   `json:"countryCode"`
	State       string   `json:"state"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
}

type contactOut struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type pickupContactOut struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email,omitempty"`
}

// referenceLinks are the links the customer uses: the tracking page (the
// group's page for a grouped tracker), where a return of the order starts
// (returns.StartURL of the tracker's own tracking) and the customer
// webflow (null: Waybill has none).
type referenceLinks struct {
	TrackingURL        string  `json:"trackingUrl"`
	ReturnsURL         *string `json:"returnsUrl"`
	CustomerWebflowURL *string `json:"customerWebflowUrl"`
}

type sourceOut struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

type warningOut struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// render turns the core's view into the seed's response shape. org is the
// tracker's organization (the vendor's brand); publicURL the base of links.
func render(v trackers.View, org waybill.Organization, publicURL string) trackerJSON {
	tr, t := v.Tracker, v.Tracking
	out := trackerJSON{
		TrackingID: tr.TrackingNumber, BrandExternalID: org.Name, OrderExternalID: tr.ExternalID,
		Packages: orEmpty(tr.Packages), Type: tr.Type, OrderAttributes: tr.OrderAttributes, OrderValue: tr.OrderValue,
		Status:                v.Status,
		PickupTime:            windowOf(tr.PickupTime),
		DeliveryTime:          windowOf(tr.DeliveryTime),
		EstimatedDeliveryTime: estimateOut{StartsAt: expected(t)},
		LastLocation:          lastLocation(t),
		Provider: providerOut{Name: tr.Provider.Name, ServiceType: tr.Provider.ServiceType, DisplayName: tr.Provider.DisplayName,
			ID: tr.Provider.ID, ServiceID: tr.Provider.ServiceID()},
		DeliveryInstructions: tr.DeliveryInstructions,
		PickupInstructions:   nonEmpty(tr.PickupInstructions),
		GroupID:              nonEmpty(tr.GroupID),
		TimeZone:             nonEmpty(tr.TimeZone),
		LocationExternalID:   nonEmpty(tr.LocationExternalID),
		ID:                   tr.ID,
		ReferenceLinks:       referenceLinks{TrackingURL: trackingURL(publicURL, tr), ReturnsURL: nonEmpty(returns.StartURL(publicURL, t.PageToken))},
		TrackerExternalID:    tr.ExternalID,
		Source:               sourceOut{Type: "api", ID: tr.TrackingID, Name: "Waybill Tracker API"},
		Items:                orEmpty(tr.Items),
		Barcodes:             tr.Barcodes,
		CreatedDate:          tr.CreatedDate,
		Locale:               nonEmpty(tr.Locale),
	}
	if out.OrderAttributes == nil {
		out.OrderAttributes = map[string]any{}
	}
	if out.Barcodes == nil {
		out.Barcodes = []string{}
	}
	if a := tr.DeliveryAddress; a != nil {
		out.DeliveryAddress = &deliveryAddrOut{Street1: a.Street1, Street2: a.Street2, City: a.City, State: a.State,
			CountryCode: a.CountryCode, PostalCode: a.PostalCode, Latitude: a.Latitude, Longitude: a.Longitude, ApartmentNumber: a.ApartmentNumber}
		out.CurrencyCode = currencyOf(a.CountryCode)
	}
	if c := tr.DeliveryContact; c != (waybill.TrackerContact{}) {
		out.DeliveryContact = &contactOut{Name: c.Name, Phone: c.Phone, Email: c.Email}
	}
	if a := tr.PickupAddress; a != nil {
		out.PickupAddress = &pickupAddrOut{Street1: a.Street1, Street2: a.Street2, City: a.City, PostalCode: a.PostalCode,
			CountryCode: a.CountryCode, State: a.State, Latitude: a.Latitude, Longitude: a.Longitude}
	}
	if c := tr.PickupContact; c != nil {
		out.PickupContact = &pickupContactOut{Name: c.Name, Phone: c.Phone, Email: c.Email}
	}
	for _, w := range tr.Warnings {
		out.Warnings = append(out.Warnings, warningOut{Type: w.Type, Message: w.Message})
	}
	return out
}

// trackingURL is the tracker's page: its group's order page when it has a
// group (every tracker of the group shares it), else its tracking's page.
func trackingURL(publicURL string, tr waybill.Tracker) string {
	base := strings.TrimRight(publicURL, "/") + "/t/" + tr.GroupToken
	if tr.GroupID != "" {
		return base + "/order"
	}
	return base
}

func windowOf(w *waybill.TimeWindow) *windowOut {
	if w == nil {
		return nil
	}
	return &windowOut{StartsAt: w.StartsAt, EndsAt: w.EndsAt}
}

// expected is the carrier's expected delivery in Unix ms (a date alone is
// its start, UTC), or nil.
func expected(t waybill.Tracking) *int64 {
	e := strings.TrimSpace(t.ExpectedDelivery)
	if e == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if d, err := time.Parse(layout, e); err == nil {
			ms := d.UnixMilli()
			return &ms
		}
	}
	return nil
}

// lastLocation is where the latest scan with coordinates was, or nil.
func lastLocation(t waybill.Tracking) *locationOut {
	for i := len(t.Checkpoints) - 1; i >= 0; i-- {
		if c := t.Checkpoints[i].Coordinates; len(c) == 2 {
			return &locationOut{Latitude: c[0], Longitude: c[1]}
		}
	}
	return nil
}

// currencyOf is the currency of the delivery country, or nil.
func currencyOf(countryCode string) *string {
	region, err := language.ParseRegion(countryCode)
	if err != nil {
		return nil
	}
	unit, ok := currency.FromRegion(region)
	if !ok {
		return nil
	}
	s := unit.String()
	return &s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}
