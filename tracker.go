package waybill

import "time"

// Trackers: the Tracker API (LynkUp, modelled on Delivery Solutions) lets a
// business that ships outside Waybill hand over an order's carrier tracking
// number with its order context. A tracker IS a tracking (it is polled,
// detected, notified and shown like any other) plus that context, which the
// tracker keeps: addresses, contacts, time windows, the provider and
// location the business configured, its group.

// Tracker types.
const (
	TrackerDelivery   = "delivery"
	TrackerPickupType = "pickup"
	TrackerShipping   = "shipping"
)

// TrackerTypes are the types a tracker may have; shipping is the default.
var TrackerTypes = []string{TrackerDelivery, TrackerPickupType, TrackerShipping}

// TrackerAddress is a pickup or delivery address. CountryCode is ISO
// 3166-1 alpha-2.
type TrackerAddress struct {
	Street1, Street2, City, State, CountryCode, PostalCode, ApartmentNumber string
	Latitude, Longitude                                                     *float64
}

// TrackerContact is a person to reach at a pickup or delivery.
type TrackerContact struct {
	Name, Phone, Email string
}

// TimeWindow is a span of time in Unix milliseconds; either end may be
// unknown (nil).
type TimeWindow struct {
	StartsAt, EndsAt *int64
}

// TrackerProvider is a carrier as a business configured it for trackers:
// Name is what its clients send as a tracker's provider, Slug the courier
// Waybill follows it with ("" lets detection choose per number).
type TrackerProvider struct {
	ID          string
	OrgID       int64
	Name        string
	Slug        string
	ServiceType string
	DisplayName string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ServiceID is the provider's service type as an identifier
// ("Delivery" -> "delivery", "Same Day" -> "same_day").
func (p TrackerProvider) ServiceID() string {
	out := make([]rune, 0, len(p.ServiceType))
	for _, r := range p.ServiceType {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r == ' ' || r == '-':
			out = append(out, '_')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

// TrackerLocation is a pickup location of a business: where its trackers'
// parcels leave from. A tracker made with its ExternalID takes its address,
// contact, time zone and default pickup instructions.
type TrackerLocation struct {
	ID                 string
	OrgID              int64
	ExternalID         string
	Name               string
	Address            TrackerAddress
	Contact            TrackerContact
	TimeZone           string
	PickupInstructions string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Tracker is an order's parcel handed over through the Tracker API: the
// tracking it is (TrackingID) and the order context around it.
type Tracker struct {
	ID             string // public, random
	OrgID          int64
	ExternalID     string // the business's trackerExternalId, unique in the organization
	TrackingID     string // the tracking's public id
	TrackingNumber string
	Type           string
	// GroupID groups trackers (and orders) into one experience; GroupToken
	// is the page token of the group's first tracker's tracking, whose
	// order page shows every tracker of the group (or this tracking's own
	// token when there is no group).
	GroupID    string
	GroupToken string
	// Provider is the provider as configured when the tracker was made.
	Provider             TrackerProvider
	LocationExternalID   string
	OrderAttributes      map[string]any
	OrderValue           *float64
	PickupTime           *TimeWindow
	DeliveryTime         *TimeWindow
	DeliveryContact      TrackerContact
	DeliveryAddress      *TrackerAddress
	PickupAddress        *TrackerAddress
	PickupContact        *TrackerContact
	TimeZone             string
	PickupInstructions   string
	DeliveryInstructions *string
	Packages             []map[string]any
	Items                []map[string]any
	Barcodes             []string
	CreatedDate          *int64 // Unix ms, when the order was made
	Locale               string
	// Status is the status last announced (TrackerStatus at the last
	// change); readers show TrackerStatus at their own time.
	Status      string
	CancelledAt time.Time
	// Warnings are those of the create that made the tracker: a repeated
	// create answers with them again.
	Warnings    []TrackerWarning
	RequestHash string // of the create's normalized input, for idempotent repeats
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Cancelled reports whether the tracker was cancelled.
func (t Tracker) Cancelled() bool { return !t.CancelledAt.IsZero() }

// TrackerWarning is something a create accepted that may surprise its
// caller; it should be passed on to the end user.
type TrackerWarning struct {
	Type    string
	Message string
}

// Warning types.
const (
	WarnTrackingIDFormat     = "TRACKING_ID_FORMAT"
	WarnDeliveryWindowPassed = "DELIVERY_WINDOW_PASSED"
	WarnDuplicateBarcodes    = "DUPLICATE_BARCODES_DROPPED"
	WarnCountryNormalized    = "COUNTRY_NORMALIZED"
	WarnUnknownLocale        = "UNKNOWN_LOCALE"
)

// EventTrackerStatusChanged is sent when a tracker's status (TrackerStatus)
// changes. Its Detail is the JSON of a TrackerChange.
const EventTrackerStatusChanged = "tracker.status_changed"

// TrackerChange is the detail of a tracker.status_changed event: the
// tracker as it was after the change, its organization's name (the
// vendor's brand), and its status before and after.
type TrackerChange struct {
	Tracker        Tracker
	Brand          string
	PreviousStatus string
	Status         string
}

// TrackerFilter narrows a list of trackers. Zero fields do not narrow.
type TrackerFilter struct {
	GroupID     string
	Status      string // a status as last announced
	Provider    string // the provider's name
	CreatedFrom *int64 // Unix ms, inclusive
	CreatedTo   *int64 // Unix ms, inclusive
	Limit       int    // DefaultTrackerPage when zero; at most MaxTrackerPage
	Offset      int
}

// MaxTrackerPage is the largest page of a tracker list.
const MaxTrackerPage = 200

// DefaultTrackerPage is the page of a tracker list that gives no limit.
const DefaultTrackerPage = 50

// Validate checks the filter: clean strings, a known status, a sane page.
func (f *TrackerFilter) Validate() error {
	var p Problems
	p.line("groupId", f.GroupID, MaxTrackerIDLen)
	p.line("provider", f.Provider, MaxTrackerIDLen)
	if f.Status != "" && !validTrackerStatus(f.Status) {
		p.invalid("status", "status must be one of the tracker statuses")
	}
	if f.Limit < 0 || f.Limit > MaxTrackerPage {
		p.invalid("limit", "limit must be between 1 and 200")
	}
	if f.Offset < 0 || f.Offset > 1_000_000 {
		p.invalid("offset", "offset must be between 0 and 1000000")
	}
	for name, v := range map[string]*int64{"createdFrom": f.CreatedFrom, "createdTo": f.CreatedTo} {
		if v != nil && !validMillis(*v) {
			p.invalid(name, name+" must be a Unix time in milliseconds between 1970 and 2200")
		}
	}
	if f.Limit == 0 {
		f.Limit = DefaultTrackerPage
	}
	return p.Err()
}
