package store

import (
	"time"

	"github.com/waybillhq/waybill"
)

// trackingDoc is a tracking as the store keeps it: the JSON document in
// trackings.doc. Its field names are the database's, fixed by the data
// already stored, and deliberately not the JSON tags of waybill.Tracking,
// which belong to wire formats: renaming a tag there must never change
// stored data. A field added to waybill.Tracking is added here and in
// docOf/tracking too (TestTrackingDocument fails until it is). OrgID is
// not in the document: it is a column.
type trackingDoc struct {
	ID                        string            `json:"id"`
	PageToken                 string            `json:"page_token,omitempty"`
	CreatedAt                 time.Time         `json:"created_at"`
	UpdatedAt                 time.Time         `json:"updated_at"`
	LastUpdatedAt             time.Time         `json:"last_updated_at"`
	TrackingNumber            string            `json:"tracking_number"`
	Slug                      string            `json:"slug"`
	Active                    bool              `json:"active"`
	Tag                       string            `json:"tag"`
	Subtag                    string            `json:"subtag"`
	Checkpoints               []checkpointDoc   `json:"checkpoints"`
	Title                     string            `json:"title,omitempty"`
	OrderID                   string            `json:"order_id,omitempty"`
	OrderIDPath               string            `json:"order_id_path,omitempty"`
	OrderNumber               string            `json:"order_number,omitempty"`
	OrderDate                 string            `json:"order_date,omitempty"`
	OrderPromisedDeliveryDate string            `json:"order_promised_delivery_date,omitempty"`
	CustomFields              map[string]string `json:"custom_fields,omitempty"`
	CustomerName              string            `json:"customer_name,omitempty"`
	Language                  string            `json:"language,omitempty"`
	Source                    string            `json:"source,omitempty"`
	Note                      string            `json:"note,omitempty"`
	Emails                    []string          `json:"emails,omitempty"`
	Smses                     []string          `json:"smses,omitempty"`
	SubscribedEmails          []string          `json:"subscribed_emails,omitempty"`
	SubscribedSmses           []string          `json:"subscribed_smses,omitempty"`
	TrackedCount              int               `json:"tracked_count,omitempty"`
	RetrackCount              int               `json:"retrack_count,omitempty"`
	CompletedReason           string            `json:"completed_reason,omitempty"`
	ShipmentPackageCount      int               `json:"shipment_package_count,omitempty"`
	ShipmentPickupDate        string            `json:"shipment_pickup_date,omitempty"`
	ShipmentDeliveryDate      string            `json:"shipment_delivery_date,omitempty"`
	ShipmentType              string            `json:"shipment_type,omitempty"`
	ShipmentWeight            *float64          `json:"shipment_weight,omitempty"`
	ShipmentWeightUnit        string            `json:"shipment_weight_unit,omitempty"`
	SignedBy                  string            `json:"signed_by,omitempty"`
	OriginCountryISO3         string            `json:"origin_country_iso3,omitempty"`
	DestinationCountryISO3    string            `json:"destination_country_iso3,omitempty"`
	DestinationRawLocation    string            `json:"destination_raw_location,omitempty"`
	DestinationCity           string            `json:"destination_city,omitempty"`
	DestinationState          string            `json:"destination_state,omitempty"`
	DestinationPostalCode     string            `json:"destination_postal_code,omitempty"`
	ExpectedDelivery          string            `json:"expected_delivery,omitempty"`
	ExpectedDeliveryMin       string            `json:"expected_delivery_min,omitempty"`
	ExpectedDeliveryMax       string            `json:"expected_delivery_max,omitempty"`
	FirstExpectedDelivery     string            `json:"first_expected_delivery,omitempty"`
	CarrierPickupDate         string            `json:"carrier_pickup_date,omitempty"`
	CarrierDeliveryDate       string            `json:"carrier_delivery_date,omitempty"`
	ProofOfDelivery           []string          `json:"proof_of_delivery,omitempty"`
	DeliveryTime              *int              `json:"delivery_time,omitempty"`
	ReturnToSender            bool              `json:"return_to_sender,omitempty"`
	FirstAttemptedAt          string            `json:"first_attempted_at,omitempty"`
	DeliveryType              string            `json:"delivery_type,omitempty"`
	PickupLocation            string            `json:"pickup_location,omitempty"`
	PickupNote                string            `json:"pickup_note,omitempty"`
	ShipmentDirection         string            `json:"shipment_direction,omitempty"`
	CourierConnectionID       string            `json:"courier_connection_id,omitempty"`
	ShipmentTags              []string          `json:"shipment_tags,omitempty"`
	CourierFields             courierFieldsDoc  `json:"courier_fields"`
	NextPollAt                time.Time         `json:"next_poll_at,omitzero"`
}

// checkpointDoc is a checkpoint inside a trackingDoc.
type checkpointDoc struct {
	Slug           string    `json:"slug"`
	CreatedAt      time.Time `json:"created_at"`
	CheckpointTime string    `json:"checkpoint_time"`
	City           string    `json:"city,omitempty"`
	State          string    `json:"state,omitempty"`
	Zip            string    `json:"zip,omitempty"`
	CountryISO3    string    `json:"country_iso3,omitempty"`
	CountryName    string    `json:"country_name,omitempty"`
	Location       string    `json:"location,omitempty"`
	Coordinates    []float64 `json:"coordinates,omitempty"`
	Message        string    `json:"message"`
	Tag            string    `json:"tag"`
	Subtag         string    `json:"subtag"`
	RawTag         string    `json:"raw_tag,omitempty"`
}

// courierFieldsDoc is a tracking's courier fields inside a trackingDoc.
type courierFieldsDoc struct {
	PostalCode         string `json:"tracking_postal_code,omitempty"`
	ShipDate           string `json:"tracking_ship_date,omitempty"`
	AccountNumber      string `json:"tracking_account_number,omitempty"`
	Key                string `json:"tracking_key,omitempty"`
	OriginCountry      string `json:"tracking_origin_country,omitempty"`
	DestinationCountry string `json:"tracking_destination_country,omitempty"`
	State              string `json:"tracking_state,omitempty"`
}

// docOf returns the stored form of t.
func docOf(t *waybill.Tracking) trackingDoc {
	return trackingDoc{
		ID:                        t.ID,
		PageToken:                 t.PageToken,
		CreatedAt:                 t.CreatedAt,
		UpdatedAt:                 t.UpdatedAt,
		LastUpdatedAt:             t.LastUpdatedAt,
		TrackingNumber:            t.TrackingNumber,
		Slug:                      t.Slug,
		Active:                    t.Active,
		Tag:                       string(t.Tag),
		Subtag:                    t.Subtag,
		Checkpoints:               checkpointDocs(t.Checkpoints),
		Title:                     t.Title,
		OrderID:                   t.OrderID,
		OrderIDPath:               t.OrderIDPath,
		OrderNumber:               t.OrderNumber,
		OrderDate:                 t.OrderDate,
		OrderPromisedDeliveryDate: t.OrderPromisedDeliveryDate,
		CustomFields:              t.CustomFields,
		CustomerName:              t.CustomerName,
		Language:                  t.Language,
		Source:                    t.Source,
		Note:                      t.Note,
		Emails:                    t.Emails,
		Smses:                     t.Smses,
		SubscribedEmails:          t.SubscribedEmails,
		SubscribedSmses:           t.SubscribedSmses,
		TrackedCount:              t.TrackedCount,
		RetrackCount:              t.RetrackCount,
		CompletedReason:           t.CompletedReason,
		ShipmentPackageCount:      t.ShipmentPackageCount,
		ShipmentPickupDate:        t.ShipmentPickupDate,
		ShipmentDeliveryDate:      t.ShipmentDeliveryDate,
		ShipmentType:              t.ShipmentType,
		ShipmentWeight:            t.ShipmentWeight,
		ShipmentWeightUnit:        t.ShipmentWeightUnit,
		SignedBy:                  t.SignedBy,
		OriginCountryISO3:         t.OriginCountryISO3,
		DestinationCountryISO3:    t.DestinationCountryISO3,
		DestinationRawLocation:    t.DestinationRawLocation,
		DestinationCity:           t.DestinationCity,
		DestinationState:          t.DestinationState,
		DestinationPostalCode:     t.DestinationPostalCode,
		ExpectedDelivery:          t.ExpectedDelivery,
		ExpectedDeliveryMin:       t.ExpectedDeliveryMin,
		ExpectedDeliveryMax:       t.ExpectedDeliveryMax,
		FirstExpectedDelivery:     t.FirstExpectedDelivery,
		CarrierPickupDate:         t.CarrierPickupDate,
		CarrierDeliveryDate:       t.CarrierDeliveryDate,
		ProofOfDelivery:           t.ProofOfDelivery,
		DeliveryTime:              t.DeliveryTime,
		ReturnToSender:            t.ReturnToSender,
		FirstAttemptedAt:          t.FirstAttemptedAt,
		DeliveryType:              t.DeliveryType,
		PickupLocation:            t.PickupLocation,
		PickupNote:                t.PickupNote,
		ShipmentDirection:         t.ShipmentDirection,
		CourierConnectionID:       t.CourierConnectionID,
		ShipmentTags:              t.ShipmentTags,
		CourierFields:             courierFieldsDoc(t.CourierFields),
		NextPollAt:                t.NextPollAt,
	}
}

// tracking returns the tracking d stores; OrgID is the caller's to set.
func (d trackingDoc) tracking() waybill.Tracking {
	return waybill.Tracking{
		ID:                        d.ID,
		PageToken:                 d.PageToken,
		CreatedAt:                 d.CreatedAt,
		UpdatedAt:                 d.UpdatedAt,
		LastUpdatedAt:             d.LastUpdatedAt,
		TrackingNumber:            d.TrackingNumber,
		Slug:                      d.Slug,
		Active:                    d.Active,
		Tag:                       waybill.Tag(d.Tag),
		Subtag:                    d.Subtag,
		Checkpoints:               checkpointsOf(d.Checkpoints),
		Title:                     d.Title,
		OrderID:                   d.OrderID,
		OrderIDPath:               d.OrderIDPath,
		OrderNumber:               d.OrderNumber,
		OrderDate:                 d.OrderDate,
		OrderPromisedDeliveryDate: d.OrderPromisedDeliveryDate,
		CustomFields:              d.CustomFields,
		CustomerName:              d.CustomerName,
		Language:                  d.Language,
		Source:                    d.Source,
		Note:                      d.Note,
		Emails:                    d.Emails,
		Smses:                     d.Smses,
		SubscribedEmails:          d.SubscribedEmails,
		SubscribedSmses:           d.SubscribedSmses,
		TrackedCount:              d.TrackedCount,
		RetrackCount:              d.RetrackCount,
		CompletedReason:           d.CompletedReason,
		ShipmentPackageCount:      d.ShipmentPackageCount,
		ShipmentPickupDate:        d.ShipmentPickupDate,
		ShipmentDeliveryDate:      d.ShipmentDeliveryDate,
		ShipmentType:              d.ShipmentType,
		ShipmentWeight:            d.ShipmentWeight,
		ShipmentWeightUnit:        d.ShipmentWeightUnit,
		SignedBy:                  d.SignedBy,
		OriginCountryISO3:         d.OriginCountryISO3,
		DestinationCountryISO3:    d.DestinationCountryISO3,
		DestinationRawLocation:    d.DestinationRawLocation,
		DestinationCity:           d.DestinationCity,
		DestinationState:          d.DestinationState,
		DestinationPostalCode:     d.DestinationPostalCode,
		ExpectedDelivery:          d.ExpectedDelivery,
		ExpectedDeliveryMin:       d.ExpectedDeliveryMin,
		ExpectedDeliveryMax:       d.ExpectedDeliveryMax,
		FirstExpectedDelivery:     d.FirstExpectedDelivery,
		CarrierPickupDate:         d.CarrierPickupDate,
		CarrierDeliveryDate:       d.CarrierDeliveryDate,
		ProofOfDelivery:           d.ProofOfDelivery,
		DeliveryTime:              d.DeliveryTime,
		ReturnToSender:            d.ReturnToSender,
		FirstAttemptedAt:          d.FirstAttemptedAt,
		DeliveryType:              d.DeliveryType,
		PickupLocation:            d.PickupLocation,
		PickupNote:                d.PickupNote,
		ShipmentDirection:         d.ShipmentDirection,
		CourierConnectionID:       d.CourierConnectionID,
		ShipmentTags:              d.ShipmentTags,
		CourierFields:             waybill.CourierFields(d.CourierFields),
		NextPollAt:                d.NextPollAt,
	}
}

// checkpointDocs returns the stored form of cps, nil for nil (stored as
// null, as it always has been).
func checkpointDocs(cps []waybill.Checkpoint) []checkpointDoc {
	if cps == nil {
		return nil
	}
	out := make([]checkpointDoc, len(cps))
	for i, c := range cps {
		out[i] = checkpointDoc{
			Slug:           c.Slug,
			CreatedAt:      c.CreatedAt,
			CheckpointTime: c.CheckpointTime,
			City:           c.City,
			State:          c.State,
			Zip:            c.Zip,
			CountryISO3:    c.CountryISO3,
			CountryName:    c.CountryName,
			Location:       c.Location,
			Coordinates:    c.Coordinates,
			Message:        c.Message,
			Tag:            string(c.Tag),
			Subtag:         c.Subtag,
			RawTag:         c.RawTag,
		}
	}
	return out
}

// checkpointsOf returns the checkpoints docs store, nil for nil.
func checkpointsOf(docs []checkpointDoc) []waybill.Checkpoint {
	if docs == nil {
		return nil
	}
	out := make([]waybill.Checkpoint, len(docs))
	for i, c := range docs {
		out[i] = waybill.Checkpoint{
			Slug:           c.Slug,
			CreatedAt:      c.CreatedAt,
			CheckpointTime: c.CheckpointTime,
			City:           c.City,
			State:          c.State,
			Zip:            c.Zip,
			CountryISO3:    c.CountryISO3,
			CountryName:    c.CountryName,
			Location:       c.Location,
			Coordinates:    c.Coordinates,
			Message:        c.Message,
			Tag:            waybill.Tag(c.Tag),
			Subtag:         c.Subtag,
			RawTag:         c.RawTag,
		}
	}
	return out
}
