package aftership

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// timeLayout is AfterShip's timestamp form: RFC 3339 with a numeric offset.
const timeLayout = "2006-01-02T15:04:05-07:00"

func ts(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(timeLayout)
	return &s
}

// nullable renders "" as null, the way AfterShip renders missing strings.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// trackingV4 is the v4 tracking object. Every field AfterShip documents is
// present; a field without data has AfterShip's empty value.
type trackingV4 struct {
	ID                             string            `json:"id"`
	CreatedAt                      *string           `json:"created_at"`
	UpdatedAt                      *string           `json:"updated_at"`
	LastUpdatedAt                  *string           `json:"last_updated_at"`
	TrackingNumber                 string            `json:"tracking_number"`
	Slug                           string            `json:"slug"`
	Active                         bool              `json:"active"`
	Android                        []string          `json:"android"`
	CustomFields                   map[string]string `json:"custom_fields"`
	CustomerName                   *string           `json:"customer_name"`
	DeliveryTime                   *int              `json:"delivery_time"`
	DestinationCountryISO3         *string           `json:"destination_country_iso3"`
	DestinationRawLocation         *string           `json:"destination_raw_location"`
	CourierDestinationCountryISO3  *string           `json:"courier_destination_country_iso3"`
	Emails                         []string          `json:"emails"`
	ExpectedDelivery               *string           `json:"expected_delivery"`
	IOS                            []string          `json:"ios"`
	Note                           *string           `json:"note"`
	OrderID                        *string           `json:"order_id"`
	OrderIDPath                    *string           `json:"order_id_path"`
	OrderNumber                    *string           `json:"order_number"`
	OrderDate                      *string           `json:"order_date"`
	OriginCountryISO3              *string           `json:"origin_country_iso3"`
	ShipmentPackageCount           int               `json:"shipment_package_count"`
	ShipmentPickupDate             *string           `json:"shipment_pickup_date"`
	ShipmentDeliveryDate           *string           `json:"shipment_delivery_date"`
	ShipmentType                   *string           `json:"shipment_type"`
	ShipmentWeight                 *float64          `json:"shipment_weight"`
	ShipmentWeightUnit             *string           `json:"shipment_weight_unit"`
	SignedBy                       *string           `json:"signed_by"`
	Smses                          []string          `json:"smses"`
	Source                         string            `json:"source"`
	Tag                            string            `json:"tag"`
	Subtag                         string            `json:"subtag"`
	SubtagMessage                  string            `json:"subtag_message"`
	Title                          string            `json:"title"`
	TrackedCount                   int               `json:"tracked_count"`
	LastMileTrackingSupported      *bool             `json:"last_mile_tracking_supported"`
	Language                       *string           `json:"language"`
	UniqueToken                    string            `json:"unique_token"`
	Checkpoints                    []checkpointV4    `json:"checkpoints"`
	SubscribedSmses                []string          `json:"subscribed_smses"`
	SubscribedEmails               []string          `json:"subscribed_emails"`
	ReturnToSender                 bool              `json:"return_to_sender"`
	TrackingAccountNumber          *string           `json:"tracking_account_number"`
	TrackingOriginCountry          *string           `json:"tracking_origin_country"`
	TrackingDestinationCountry     *string           `json:"tracking_destination_country"`
	TrackingKey                    *string           `json:"tracking_key"`
	TrackingPostalCode             *string           `json:"tracking_postal_code"`
	TrackingShipDate               *string           `json:"tracking_ship_date"`
	TrackingState                  *string           `json:"tracking_state"`
	OrderPromisedDeliveryDate      *string           `json:"order_promised_delivery_date"`
	DeliveryType                   *string           `json:"delivery_type"`
	PickupLocation                 *string           `json:"pickup_location"`
	PickupNote                     *string           `json:"pickup_note"`
	CourierTrackingLink            *string           `json:"courier_tracking_link"`
	FirstAttemptedAt               *string           `json:"first_attempted_at"`
	CourierRedirectLink            *string           `json:"courier_redirect_link"`
	OnTimeStatus                   *string           `json:"on_time_status"`
	OnTimeDifference               *int              `json:"on_time_difference"`
	OrderTags                      []string          `json:"order_tags"`
	AftershipEstimatedDeliveryDate *json.RawMessage  `json:"aftership_estimated_delivery_date"`
	CourierConnectionID            *string           `json:"courier_connection_id"`
}

type checkpointV4 struct {
	Slug           string    `json:"slug"`
	CreatedAt      *string   `json:"created_at"`
	CheckpointTime string    `json:"checkpoint_time"`
	City           *string   `json:"city"`
	Coordinates    []float64 `json:"coordinates"`
	CountryISO3    *string   `json:"country_iso3"`
	CountryName    *string   `json:"country_name"`
	Message        string    `json:"message"`
	State          *string   `json:"state"`
	Location       *string   `json:"location"`
	Tag            string    `json:"tag"`
	Subtag         string    `json:"subtag"`
	SubtagMessage  string    `json:"subtag_message"`
	Zip            *string   `json:"zip"`
	RawTag         *string   `json:"raw_tag"`
}

func renderCheckpointV4(c waybill.Checkpoint) checkpointV4 {
	coords := c.Coordinates
	if coords == nil {
		coords = []float64{}
	}
	return checkpointV4{
		Slug: c.Slug, CreatedAt: ts(c.CreatedAt), CheckpointTime: c.CheckpointTime, City: nullable(c.City),
		Coordinates: coords, CountryISO3: nullable(c.CountryISO3), CountryName: nullable(c.CountryName),
		Message: c.Message, State: nullable(c.State), Location: nullable(c.Location), Tag: string(c.Tag),
		Subtag: c.Subtag, SubtagMessage: waybill.SubtagMessage(c.Subtag), Zip: nullable(c.Zip), RawTag: nullable(c.RawTag),
	}
}

// courierLink returns the carrier's own tracking page for the tracking.
func courierLink(t waybill.Tracking) *string {
	if c, ok := courier.Lookup(t.Slug); ok && c.TrackingURLTemplate != "" {
		return nullable(c.TrackingURL(t.TrackingNumber))
	}
	return nil
}

func renderTrackingV4(t waybill.Tracking) trackingV4 {
	cps := make([]checkpointV4, len(t.Checkpoints))
	for i, c := range t.Checkpoints {
		cps[i] = renderCheckpointV4(c)
	}
	custom := t.CustomFields // nil renders as null, as AfterShip does
	cf := t.CourierFields
	return trackingV4{
		ID: t.ID, CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt), LastUpdatedAt: ts(t.LastUpdatedAt),
		TrackingNumber: t.TrackingNumber, Slug: t.Slug, Active: t.Active, Android: []string{}, CustomFields: custom,
		CustomerName: nullable(t.CustomerName), DeliveryTime: t.DeliveryTime,
		DestinationCountryISO3: nullable(t.DestinationCountryISO3), DestinationRawLocation: nullable(t.DestinationRawLocation),
		CourierDestinationCountryISO3: nullable(t.DestinationCountryISO3), Emails: list(t.Emails),
		ExpectedDelivery: nullable(t.ExpectedDelivery), IOS: []string{}, Note: nullable(t.Note),
		OrderID: nullable(t.OrderID), OrderIDPath: nullable(t.OrderIDPath), OrderNumber: nullable(t.OrderNumber),
		OrderDate: nullable(t.OrderDate), OriginCountryISO3: nullable(t.OriginCountryISO3),
		ShipmentPackageCount: t.ShipmentPackageCount, ShipmentPickupDate: nullable(t.ShipmentPickupDate),
		ShipmentDeliveryDate: nullable(t.ShipmentDeliveryDate), ShipmentType: nullable(t.ShipmentType),
		ShipmentWeight: t.ShipmentWeight, ShipmentWeightUnit: nullable(t.ShipmentWeightUnit), SignedBy: nullable(t.SignedBy),
		Smses: list(t.Smses), Source: t.Source, Tag: string(t.Tag), Subtag: t.Subtag,
		SubtagMessage: waybill.SubtagMessage(t.Subtag), Title: t.Title, TrackedCount: t.TrackedCount,
		Language: nullable(t.Language), UniqueToken: "deprecated", Checkpoints: cps,
		SubscribedSmses: list(t.SubscribedSmses), SubscribedEmails: list(t.SubscribedEmails),
		ReturnToSender: t.ReturnToSender, TrackingAccountNumber: nullable(cf.AccountNumber),
		TrackingOriginCountry: nullable(cf.OriginCountry), TrackingDestinationCountry: nullable(cf.DestinationCountry),
		TrackingKey: nullable(cf.Key), TrackingPostalCode: nullable(cf.PostalCode), TrackingShipDate: nullable(cf.ShipDate),
		TrackingState: nullable(cf.State), OrderPromisedDeliveryDate: nullable(t.OrderPromisedDeliveryDate),
		DeliveryType: nullable(t.DeliveryType), PickupLocation: nullable(t.PickupLocation), PickupNote: nullable(t.PickupNote),
		CourierTrackingLink: courierLink(t), FirstAttemptedAt: nullable(t.FirstAttemptedAt),
		CourierRedirectLink: courierLink(t), OrderTags: []string{}, CourierConnectionID: nullable(t.CourierConnectionID),
	}
}

// selectFields keeps only the requested top-level fields of a rendered
// object (AfterShip's `fields` parameter), plus the identifying ones.
func selectFields(v any, fields string) any {
	if strings.TrimSpace(fields) == "" {
		return v
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return v
	}
	keep := map[string]json.RawMessage{}
	for _, k := range []string{"id", "slug", "tracking_number"} {
		if val, ok := all[k]; ok {
			keep[k] = val
		}
	}
	for _, f := range strings.Split(fields, ",") {
		if val, ok := all[strings.TrimSpace(f)]; ok {
			keep[strings.TrimSpace(f)] = val
		}
	}
	return keep
}
