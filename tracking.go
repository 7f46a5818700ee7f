package waybill

import "time"

// Tracking is one parcel followed through its carrier, as the core stores it.
// Faces translate it to their own wire shapes; a zero value means "no data
// yet" and each face renders it the way its original API does (null, "" or []).
type Tracking struct {
	ID             string    `json:"id"` // public, random; never the internal key
	OrgID          int64     `json:"-"`
	PageToken      string    `json:"page_token,omitempty"` // unguessable (80 random bits after its creation time): the hosted page /t/{token}; set when stored
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	LastUpdatedAt  time.Time `json:"last_updated_at"`
	TrackingNumber string    `json:"tracking_number"`
	Slug           string    `json:"slug"`
	Active         bool      `json:"active"`
	Tag            Tag       `json:"tag"`
	Subtag         string    `json:"subtag"`

	Checkpoints []Checkpoint `json:"checkpoints"`

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

	ShipmentPackageCount   int      `json:"shipment_package_count,omitempty"`
	ShipmentPickupDate     string   `json:"shipment_pickup_date,omitempty"`
	ShipmentDeliveryDate   string   `json:"shipment_delivery_date,omitempty"`
	ShipmentType           string   `json:"shipment_type,omitempty"`
	ShipmentWeight         *float64 `json:"shipment_weight,omitempty"`
	ShipmentWeightUnit     string   `json:"shipment_weight_unit,omitempty"`
	SignedBy               string   `json:"signed_by,omitempty"`
	OriginCountryISO3      string   `json:"origin_country_iso3,omitempty"`
	DestinationCountryISO3 string   `json:"destination_country_iso3,omitempty"`
	DestinationRawLocation string   `json:"destination_raw_location,omitempty"`
	DestinationCity        string   `json:"destination_city,omitempty"`
	DestinationState       string   `json:"destination_state,omitempty"`
	DestinationPostalCode  string   `json:"destination_postal_code,omitempty"`
	ExpectedDelivery       string   `json:"expected_delivery,omitempty"`
	// ExpectedDeliveryMin and ExpectedDeliveryMax bound the carrier's
	// estimate when it gives a window, "" otherwise; ExpectedDelivery is
	// then the window's latest end.
	ExpectedDeliveryMin string `json:"expected_delivery_min,omitempty"`
	ExpectedDeliveryMax string `json:"expected_delivery_max,omitempty"`
	// FirstExpectedDelivery is the carrier's first estimate, kept when
	// later ones revise ExpectedDelivery.
	FirstExpectedDelivery string `json:"first_expected_delivery,omitempty"`
	// CarrierPickupDate and CarrierDeliveryDate are the carrier's own
	// dates (ISO 8601), "" when it gave none; Derive prefers them to the
	// checkpoint times for ShipmentPickupDate and ShipmentDeliveryDate.
	CarrierPickupDate   string `json:"carrier_pickup_date,omitempty"`
	CarrierDeliveryDate string `json:"carrier_delivery_date,omitempty"`
	// ProofOfDelivery lists what the carrier offers as proof of delivery
	// (URLs of a signature or photo, or its document ids).
	ProofOfDelivery     []string `json:"proof_of_delivery,omitempty"`
	DeliveryTime        *int     `json:"delivery_time,omitempty"` // days in transit
	ReturnToSender      bool     `json:"return_to_sender,omitempty"`
	FirstAttemptedAt    string   `json:"first_attempted_at,omitempty"`
	DeliveryType        string   `json:"delivery_type,omitempty"`
	PickupLocation      string   `json:"pickup_location,omitempty"`
	PickupNote          string   `json:"pickup_note,omitempty"`
	ShipmentDirection   string   `json:"shipment_direction,omitempty"`
	CourierConnectionID string   `json:"courier_connection_id,omitempty"`
	ShipmentTags        []string `json:"shipment_tags,omitempty"`

	CourierFields CourierFields `json:"courier_fields"`

	// NextPollAt is when the carrier poll that counts is due; a queued poll
	// for any other time is stale and does nothing.
	NextPollAt time.Time `json:"next_poll_at,omitzero"`
}

// CourierFields are the extra values some couriers need to find a parcel
// (AfterShip's tracking_postal_code, tracking_ship_date, ...).
type CourierFields struct {
	PostalCode         string `json:"tracking_postal_code,omitempty"`
	ShipDate           string `json:"tracking_ship_date,omitempty"`
	AccountNumber      string `json:"tracking_account_number,omitempty"`
	Key                string `json:"tracking_key,omitempty"`
	OriginCountry      string `json:"tracking_origin_country,omitempty"`
	DestinationCountry string `json:"tracking_destination_country,omitempty"`
	State              string `json:"tracking_state,omitempty"`
}

// Get returns the value of the AfterShip field name (tracking_postal_code,
// ...), or "" for an unknown name.
func (f CourierFields) Get(name string) string {
	switch name {
	case "tracking_postal_code":
		return f.PostalCode
	case "tracking_ship_date":
		return f.ShipDate
	case "tracking_account_number":
		return f.AccountNumber
	case "tracking_key":
		return f.Key
	case "tracking_origin_country":
		return f.OriginCountry
	case "tracking_destination_country":
		return f.DestinationCountry
	case "tracking_state":
		return f.State
	}
	return ""
}

// Checkpoint is one scan or status event of a tracking.
type Checkpoint struct {
	Slug           string    `json:"slug"`
	CreatedAt      time.Time `json:"created_at"`
	CheckpointTime string    `json:"checkpoint_time"` // as the carrier gives it, ISO 8601, offset when known
	City           string    `json:"city,omitempty"`
	State          string    `json:"state,omitempty"`
	Zip            string    `json:"zip,omitempty"`
	CountryISO3    string    `json:"country_iso3,omitempty"`
	CountryName    string    `json:"country_name,omitempty"`
	Location       string    `json:"location,omitempty"`
	Coordinates    []float64 `json:"coordinates,omitempty"`
	Message        string    `json:"message"`
	Tag            Tag       `json:"tag"`
	Subtag         string    `json:"subtag"`
	RawTag         string    `json:"raw_tag,omitempty"`
}

// CompletedReasons are the reasons mark-as-completed accepts.
var CompletedReasons = []string{"DELIVERED", "LOST", "RETURNED_TO_SENDER"}
