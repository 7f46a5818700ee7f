package aftership

import (
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// trackingDated is the 2026-07 tracking object: every field of the SDK's
// Tracking model, in its order, with null, "" or [] (as the model types
// the field) when Waybill has no data, so that strict clients parse it.
type trackingDated struct {
	ID                              string                `json:"id"`
	LegacyID                        string                `json:"legacy_id"`
	CreatedAt                       string                `json:"created_at"`
	UpdatedAt                       string                `json:"updated_at"`
	TrackingNumber                  string                `json:"tracking_number"`
	Slug                            string                `json:"slug"`
	Active                          bool                  `json:"active"`
	CustomFields                    map[string]string     `json:"custom_fields"`
	TransitTime                     *int                  `json:"transit_time"`
	OriginCountryRegion             *string               `json:"origin_country_region"`
	OriginState                     *string               `json:"origin_state"`
	OriginCity                      *string               `json:"origin_city"`
	OriginPostalCode                *string               `json:"origin_postal_code"`
	OriginRawLocation               *string               `json:"origin_raw_location"`
	DestinationCountryRegion        *string               `json:"destination_country_region"`
	DestinationState                *string               `json:"destination_state"`
	DestinationCity                 *string               `json:"destination_city"`
	DestinationPostalCode           *string               `json:"destination_postal_code"`
	DestinationRawLocation          *string               `json:"destination_raw_location"`
	CourierDestinationCountryRegion *string               `json:"courier_destination_country_region"`
	CourierEstimatedDeliveryDate    *estimatedDateRange   `json:"courier_estimated_delivery_date"`
	Note                            *string               `json:"note"`
	OrderID                         *string               `json:"order_id"`
	OrderIDPath                     *string               `json:"order_id_path"`
	OrderDate                       *string               `json:"order_date"`
	ShipmentPackageCount            *int                  `json:"shipment_package_count"`
	ShipmentPickupDate              *string               `json:"shipment_pickup_date"`
	ShipmentDeliveryDate            *string               `json:"shipment_delivery_date"`
	ShipmentType                    *string               `json:"shipment_type"`
	ShipmentWeight                  *shipmentWeight       `json:"shipment_weight"`
	ShipmentDimensions              *struct{}             `json:"shipment_dimensions"` // always null: not kept
	SignedBy                        *string               `json:"signed_by"`
	Source                          string                `json:"source"`
	Tag                             string                `json:"tag"`
	Subtag                          string                `json:"subtag"`
	SubtagMessage                   string                `json:"subtag_message"`
	Title                           string                `json:"title"`
	TrackedCount                    int                   `json:"tracked_count"`
	Language                        *string               `json:"language"`
	UniqueToken                     string                `json:"unique_token"`
	Checkpoints                     []checkpointDated     `json:"checkpoints"`
	SubscribedSmses                 []string              `json:"subscribed_smses"`
	SubscribedEmails                []string              `json:"subscribed_emails"`
	ReturnToSender                  bool                  `json:"return_to_sender"`
	OrderPromisedDeliveryDate       *promisedDeliveryDate `json:"order_promised_delivery_date"`
	DeliveryType                    *string               `json:"delivery_type"`
	PickupLocation                  *string               `json:"pickup_location"`
	PickupNote                      *string               `json:"pickup_note"`
	CourierTrackingLink             *string               `json:"courier_tracking_link"`
	FirstAttemptedAt                *string               `json:"first_attempted_at"`
	CourierRedirectLink             *string               `json:"courier_redirect_link"`
	TrackingAccountNumber           *string               `json:"tracking_account_number"`
	TrackingKey                     *string               `json:"tracking_key"`
	TrackingShipDate                *string               `json:"tracking_ship_date"`
	OnTimeStatus                    *string               `json:"on_time_status"`
	OnTimeDifference                *int                  `json:"on_time_difference"`
	OrderTags                       []string              `json:"order_tags"`
	AftershipEstimatedDeliveryDate  *struct{}             `json:"aftership_estimated_delivery_date"` // no prediction model yet
	CustomEstimatedDeliveryDate     *struct{}             `json:"custom_estimated_delivery_date"`
	OrderNumber                     *string               `json:"order_number"`
	FirstEstimatedDelivery          *estimatedDelivery    `json:"first_estimated_delivery"`
	LatestEstimatedDelivery         *estimatedDelivery    `json:"latest_estimated_delivery"`
	ShipmentTags                    []string              `json:"shipment_tags"`
	CourierConnectionID             *string               `json:"courier_connection_id"`
	CarbonEmissions                 *struct{}             `json:"carbon_emissions"`
	LocationID                      *string               `json:"location_id"`
	ShippingMethod                  *string               `json:"shipping_method"`
	FailedDeliveryAttempts          *int                  `json:"failed_delivery_attempts"`
	SignatureRequirement            *string               `json:"signature_requirement"`
	DeliveryLocationType            *string               `json:"delivery_location_type"`
	AftershipTrackingURL            *string               `json:"aftership_tracking_url"`
	AftershipTrackingOrderURL       *string               `json:"aftership_tracking_order_url"`
	FirstMile                       *struct{}             `json:"first_mile"`
	LastMile                        *struct{}             `json:"last_mile"`
	Customers                       []customerDated       `json:"customers"`
	ProofOfDelivery                 []proofOfDelivery     `json:"proof_of_delivery"`
	MultiPieceInfo                  *struct{}             `json:"multi_piece_info"`
	ShipmentDirection               *string               `json:"shipment_direction"`
	ReturnShipment                  *struct{}             `json:"return_shipment"`
	ForwardShipment                 *struct{}             `json:"forward_shipment"`
}

type estimatedDateRange struct {
	EstimatedDeliveryDate    *string `json:"estimated_delivery_date"`
	EstimatedDeliveryDateMin *string `json:"estimated_delivery_date_min"`
	EstimatedDeliveryDateMax *string `json:"estimated_delivery_date_max"`
}

// proofOfDelivery is one proof the carrier offers: the URL of a signature
// or photo, or the carrier's document id, as the carrier gave it.
type proofOfDelivery struct {
	URL string `json:"url"`
}

type estimatedDelivery struct {
	Type         string  `json:"type"`
	Source       string  `json:"source"`
	Datetime     *string `json:"datetime"`
	DatetimeMin  *string `json:"datetime_min"`
	DatetimeMax  *string `json:"datetime_max"`
	ReviseReason *string `json:"revise_reason"`
}

type promisedDeliveryDate struct {
	PromisedDeliveryDate    *string `json:"promised_delivery_date"`
	PromisedDeliveryDateMin *string `json:"promised_delivery_date_min"`
	PromisedDeliveryDateMax *string `json:"promised_delivery_date_max"`
}

type shipmentWeight struct {
	Unit  *string `json:"unit"`
	Value float64 `json:"value"`
}

// checkpointDated is the 2026-07 checkpoint: every field of the SDK's
// Checkpoint model.
type checkpointDated struct {
	CreatedAt         string            `json:"created_at"`
	Slug              string            `json:"slug"`
	CheckpointTime    string            `json:"checkpoint_time"`
	Location          *string           `json:"location"`
	City              *string           `json:"city"`
	State             *string           `json:"state"`
	PostalCode        *string           `json:"postal_code"`
	Coordinate        *coordinate       `json:"coordinate"`
	CountryRegion     *string           `json:"country_region"`
	CountryRegionName *string           `json:"country_region_name"`
	Message           string            `json:"message"`
	Tag               string            `json:"tag"`
	Subtag            string            `json:"subtag"`
	SubtagMessage     string            `json:"subtag_message"`
	RawTag            *string           `json:"raw_tag"`
	Events            []checkpointEvent `json:"events"`
	Source            string            `json:"source"`
	Hash              string            `json:"hash"`
}

type coordinate struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type checkpointEvent struct {
	Code   string `json:"code"`
	Reason *struct {
		Code string `json:"code"`
	} `json:"reason"`
}

// tsString is ts for the fields the model types as a plain string: "" for
// a zero time (which a stored tracking never has).
func tsString(t time.Time) string {
	if s := ts(t); s != nil {
		return *s
	}
	return ""
}

// iso2 renders an alpha-3 code as the alpha-2 code the dated API uses, or
// null when there is none (or it is not a country Waybill knows).
func iso2(iso3 string) *string {
	if iso3 == "" {
		return nil
	}
	code, ok := waybill.CountryISO2(iso3)
	if !ok {
		return nil
	}
	return &code
}

func renderCheckpointDated(c waybill.Checkpoint) checkpointDated {
	var coord *coordinate
	if len(c.Coordinates) == 2 {
		coord = &coordinate{Latitude: c.Coordinates[0], Longitude: c.Coordinates[1]}
	}
	name := c.CountryName
	if name == "" {
		name = waybill.CountryName(c.CountryISO3)
	}
	return checkpointDated{
		CreatedAt: tsString(c.CreatedAt), Slug: c.Slug, CheckpointTime: c.CheckpointTime, Location: nullable(c.Location),
		City: nullable(c.City), State: nullable(c.State), PostalCode: nullable(c.Zip), Coordinate: coord,
		CountryRegion: iso2(c.CountryISO3), CountryRegionName: nullable(name), Message: c.Message,
		Tag: string(c.Tag), Subtag: c.Subtag, SubtagMessage: waybill.SubtagMessage(c.Subtag), RawTag: nullable(c.RawTag),
		Events: []checkpointEvent{}, Source: "carrier", Hash: waybill.CheckpointHash(c),
	}
}

// renderTrackingDated renders a tracking in the 2026-07 form. The links to
// Waybill's own tracking page (aftership_tracking_url,
// aftership_tracking_order_url) need the public URL and are set by
// (*API).renderDated; here they are null.
func renderTrackingDated(t waybill.Tracking) trackingDated {
	cps := make([]checkpointDated, len(t.Checkpoints))
	failed := 0
	for i, c := range t.Checkpoints {
		cps[i] = renderCheckpointDated(c)
		if c.Tag == waybill.TagAttemptFail {
			failed++
		}
	}
	cf := t.CourierFields
	var weight *shipmentWeight
	if t.ShipmentWeight != nil {
		weight = &shipmentWeight{Unit: nullable(t.ShipmentWeightUnit), Value: *t.ShipmentWeight}
	}
	var packages *int
	if t.ShipmentPackageCount > 0 {
		n := t.ShipmentPackageCount
		packages = &n
	}
	courierEDD, firstEDD, latestEDD := carrierEstimates(t)
	var proofs []proofOfDelivery // null when the carrier offered none
	for _, p := range t.ProofOfDelivery {
		proofs = append(proofs, proofOfDelivery{URL: p})
	}
	var promised *promisedDeliveryDate
	if t.OrderPromisedDeliveryDate != "" {
		promised = &promisedDeliveryDate{PromisedDeliveryDate: nullable(t.OrderPromisedDeliveryDate)}
	}
	var direction *string
	switch t.ShipmentDirection {
	case "outbound":
		direction = nullable("forward")
	case "return":
		direction = nullable("return")
	}
	custom := t.CustomFields // nil renders as null
	return trackingDated{
		ID: t.ID, LegacyID: t.ID, CreatedAt: tsString(t.CreatedAt), UpdatedAt: tsString(t.UpdatedAt),
		TrackingNumber: t.TrackingNumber, Slug: t.Slug, Active: t.Active, CustomFields: custom,
		TransitTime: t.DeliveryTime, OriginCountryRegion: iso2(cmpOr(t.OriginCountryISO3, cf.OriginCountry)),
		DestinationCountryRegion:        iso2(cmpOr(t.DestinationCountryISO3, cf.DestinationCountry)),
		DestinationState:                nullable(cmpOr(t.DestinationState, cf.State)),
		DestinationCity:                 nullable(t.DestinationCity),
		DestinationPostalCode:           nullable(cmpOr(t.DestinationPostalCode, cf.PostalCode)),
		DestinationRawLocation:          nullable(t.DestinationRawLocation),
		CourierDestinationCountryRegion: iso2(cmpOr(t.DestinationCountryISO3, cf.DestinationCountry)),
		CourierEstimatedDeliveryDate:    courierEDD,
		Note:                            nullable(t.Note), OrderID: nullable(t.OrderID), OrderIDPath: nullable(t.OrderIDPath),
		OrderDate: nullable(t.OrderDate), ShipmentPackageCount: packages,
		ShipmentPickupDate: nullable(t.ShipmentPickupDate), ShipmentDeliveryDate: nullable(t.ShipmentDeliveryDate),
		ShipmentType: nullable(t.ShipmentType), ShipmentWeight: weight, SignedBy: nullable(t.SignedBy),
		Source: t.Source, Tag: string(t.Tag), Subtag: t.Subtag, SubtagMessage: waybill.SubtagMessage(t.Subtag),
		Title: t.Title, TrackedCount: t.TrackedCount, Language: nullable(t.Language), UniqueToken: "deprecated",
		Checkpoints: cps, SubscribedSmses: list(t.SubscribedSmses), SubscribedEmails: list(t.SubscribedEmails),
		ReturnToSender: t.ReturnToSender, OrderPromisedDeliveryDate: promised,
		DeliveryType: nullable(t.DeliveryType), PickupLocation: nullable(t.PickupLocation), PickupNote: nullable(t.PickupNote),
		CourierTrackingLink: courierLink(t), FirstAttemptedAt: nullable(t.FirstAttemptedAt),
		CourierRedirectLink: courierLink(t), TrackingAccountNumber: nullable(cf.AccountNumber),
		TrackingKey: nullable(cf.Key), TrackingShipDate: nullable(cf.ShipDate), OrderTags: []string{},
		OrderNumber: nullable(t.OrderNumber), FirstEstimatedDelivery: firstEDD, LatestEstimatedDelivery: latestEDD,
		ShipmentTags: list(t.ShipmentTags), CourierConnectionID: nullable(t.CourierConnectionID),
		FailedDeliveryAttempts: &failed, Customers: renderCustomers(t), ShipmentDirection: direction,
		ProofOfDelivery: proofs,
	}
}

// carrierEstimates renders the carrier's estimate: its date and window
// (courier_estimated_delivery_date), the first estimate it gave
// (first_estimated_delivery) and its current one
// (latest_estimated_delivery), a "range" when it gave a window, else
// "specific". All are null before the carrier gives an estimate.
func carrierEstimates(t waybill.Tracking) (courier *estimatedDateRange, first, latest *estimatedDelivery) {
	if t.ExpectedDelivery == "" {
		return nil, nil, nil
	}
	courier = &estimatedDateRange{EstimatedDeliveryDate: nullable(t.ExpectedDelivery),
		EstimatedDeliveryDateMin: nullable(t.ExpectedDeliveryMin), EstimatedDeliveryDateMax: nullable(t.ExpectedDeliveryMax)}
	latest = &estimatedDelivery{Type: "specific", Source: "Carrier EDD", Datetime: nullable(t.ExpectedDelivery)}
	if t.ExpectedDeliveryMin != "" || t.ExpectedDeliveryMax != "" {
		latest.Type, latest.DatetimeMin, latest.DatetimeMax = "range", nullable(t.ExpectedDeliveryMin), nullable(t.ExpectedDeliveryMax)
	}
	if f := cmpOr(t.FirstExpectedDelivery, t.ExpectedDelivery); f != "" {
		first = &estimatedDelivery{Type: "specific", Source: "Carrier EDD", Datetime: nullable(f)}
	}
	return courier, first, latest
}

// renderCustomers rebuilds customers[] from what the core keeps: one
// customer name, and lists of emails and phone numbers. The n-th customer
// has the n-th email and the n-th phone number; the first has the name.
func renderCustomers(t waybill.Tracking) []customerDated {
	n := max(len(t.Emails), len(t.Smses))
	if n == 0 && t.CustomerName != "" {
		n = 1
	}
	out := make([]customerDated, n)
	for i := range out {
		c := &out[i]
		if i == 0 {
			c.Name = nullable(t.CustomerName)
		}
		if i < len(t.Emails) {
			c.Email = nullable(t.Emails[i])
		}
		if i < len(t.Smses) {
			c.PhoneNumber = nullable(t.Smses[i])
		}
		c.Language = nullable(t.Language)
	}
	return out
}

// hostedPagePath is where Waybill's own tracking page for a tracking lives:
// PublicURL + "/t/" + its page token (internal/web serves it). The token is
// random and unrelated to the tracking's id and number.
const hostedPagePath = "/t/"

// renderDated renders a tracking with the links to Waybill's tracking page:
// aftership_tracking_url is PublicURL/t/{token}, and, when the tracking has
// an order number, aftership_tracking_order_url is PublicURL/t/{token}/order.
func (a *API) renderDated(t waybill.Tracking) trackingDated {
	return withPageLinks(renderTrackingDated(t), t, a.PublicURL)
}

// withPageLinks sets the tracking page links on out; with no public URL or
// page token they stay null.
func withPageLinks(out trackingDated, t waybill.Tracking, publicURL string) trackingDated {
	if base := strings.TrimRight(publicURL, "/"); base != "" && t.PageToken != "" {
		page := base + hostedPagePath + t.PageToken
		out.AftershipTrackingURL = &page
		if t.OrderNumber != "" {
			order := page + "/order"
			out.AftershipTrackingOrderURL = &order
		}
	}
	return out
}
