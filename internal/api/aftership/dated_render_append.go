package aftership

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// appendTrackingOfDated appends the 2026-07 tracking object of t with the
// links to the tracking page under publicURL: the bytes
// appendTrackingDated gives for withPageLinks(renderTrackingDated(t), t,
// publicURL), read straight from t. Building the trackingDated value first
// (a pointer for every nullable string, a checkpoint hash made of a dozen
// small allocations) was 60 % of a 2026-07 list page's render
// (docs/benchmarks/scale.md, session 6). TestAppendTrackingOfDated compares
// the two over many trackings. ok is false when t holds a number JSON
// cannot carry.
func appendTrackingOfDated(b []byte, t *waybill.Tracking, publicURL string) (_ []byte, ok bool) {
	cf := &t.CourierFields
	b = append(b, `{"id":`...)
	b = appendJSONString(b, t.ID)
	b = append(b, `,"legacy_id":`...)
	b = appendJSONString(b, t.ID)
	b = append(b, `,"created_at":`...)
	b = appendTimeString(b, t.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTimeString(b, t.UpdatedAt)
	b = append(b, `,"tracking_number":`...)
	b = appendJSONString(b, t.TrackingNumber)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, t.Slug)
	b = append(b, `,"active":`...)
	b = appendBool(b, t.Active)
	b = append(b, `,"custom_fields":`...)
	b = appendStringMap(b, t.CustomFields)
	b = append(b, `,"transit_time":`...)
	b = appendIntPtr(b, t.DeliveryTime)
	b = append(b, `,"origin_country_region":`...)
	b = appendISO2(b, cmpOr(t.OriginCountryISO3, cf.OriginCountry))
	b = append(b, `,"origin_state":null,"origin_city":null,"origin_postal_code":null,"origin_raw_location":null,"destination_country_region":`...)
	destination := cmpOr(t.DestinationCountryISO3, cf.DestinationCountry)
	b = appendISO2(b, destination)
	b = append(b, `,"destination_state":`...)
	b = appendNullable(b, cmpOr(t.DestinationState, cf.State))
	b = append(b, `,"destination_city":`...)
	b = appendNullable(b, t.DestinationCity)
	b = append(b, `,"destination_postal_code":`...)
	b = appendNullable(b, cmpOr(t.DestinationPostalCode, cf.PostalCode))
	b = append(b, `,"destination_raw_location":`...)
	b = appendNullable(b, t.DestinationRawLocation)
	b = append(b, `,"courier_destination_country_region":`...)
	b = appendISO2(b, destination)
	b = append(b, `,"courier_estimated_delivery_date":`...)
	if t.ExpectedDelivery == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"estimated_delivery_date":`...)
		b = appendNullable(b, t.ExpectedDelivery)
		b = append(b, `,"estimated_delivery_date_min":`...)
		b = appendNullable(b, t.ExpectedDeliveryMin)
		b = append(b, `,"estimated_delivery_date_max":`...)
		b = appendNullable(b, t.ExpectedDeliveryMax)
		b = append(b, '}')
	}
	b = append(b, `,"note":`...)
	b = appendNullable(b, t.Note)
	b = append(b, `,"order_id":`...)
	b = appendNullable(b, t.OrderID)
	b = append(b, `,"order_id_path":`...)
	b = appendNullable(b, t.OrderIDPath)
	b = append(b, `,"order_date":`...)
	b = appendNullable(b, t.OrderDate)
	b = append(b, `,"shipment_package_count":`...)
	if t.ShipmentPackageCount > 0 {
		b = strconv.AppendInt(b, int64(t.ShipmentPackageCount), 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"shipment_pickup_date":`...)
	b = appendNullable(b, t.ShipmentPickupDate)
	b = append(b, `,"shipment_delivery_date":`...)
	b = appendNullable(b, t.ShipmentDeliveryDate)
	b = append(b, `,"shipment_type":`...)
	b = appendNullable(b, t.ShipmentType)
	b = append(b, `,"shipment_weight":`...)
	if t.ShipmentWeight == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"unit":`...)
		b = appendNullable(b, t.ShipmentWeightUnit)
		b = append(b, `,"value":`...)
		if b, ok = appendFloat(b, *t.ShipmentWeight); !ok {
			return b, false
		}
		b = append(b, '}')
	}
	b = append(b, `,"shipment_dimensions":null,"signed_by":`...)
	b = appendNullable(b, t.SignedBy)
	b = appendSourceToTrackedCount(b, t)
	b = append(b, `,"language":`...)
	b = appendNullable(b, t.Language)
	b = append(b, `,"unique_token":"deprecated","checkpoints":[`...)
	failed := 0
	for i := range t.Checkpoints {
		c := &t.Checkpoints[i]
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendCheckpointOfDated(b, c); !ok {
			return b, false
		}
		if c.Tag == waybill.TagAttemptFail {
			failed++
		}
	}
	b = append(b, `],"subscribed_smses":`...)
	b = appendStrings(b, t.SubscribedSmses)
	b = append(b, `,"subscribed_emails":`...)
	b = appendStrings(b, t.SubscribedEmails)
	b = append(b, `,"return_to_sender":`...)
	b = appendBool(b, t.ReturnToSender)
	b = append(b, `,"order_promised_delivery_date":`...)
	if t.OrderPromisedDeliveryDate == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"promised_delivery_date":`...)
		b = appendJSONString(b, t.OrderPromisedDeliveryDate)
		b = append(b, `,"promised_delivery_date_min":null,"promised_delivery_date_max":null}`...)
	}
	b = append(b, `,"delivery_type":`...)
	b = appendNullable(b, t.DeliveryType)
	b = append(b, `,"pickup_location":`...)
	b = appendNullable(b, t.PickupLocation)
	b = append(b, `,"pickup_note":`...)
	b = appendNullable(b, t.PickupNote)
	link := courierLink(*t)
	b = append(b, `,"courier_tracking_link":`...)
	b = appendLink(b, link)
	b = append(b, `,"first_attempted_at":`...)
	b = appendNullable(b, t.FirstAttemptedAt)
	b = append(b, `,"courier_redirect_link":`...)
	b = appendLink(b, link)
	b = append(b, `,"tracking_account_number":`...)
	b = appendNullable(b, cf.AccountNumber)
	b = append(b, `,"tracking_key":`...)
	b = appendNullable(b, cf.Key)
	b = append(b, `,"tracking_ship_date":`...)
	b = appendNullable(b, cf.ShipDate)
	b = append(b, `,"on_time_status":null,"on_time_difference":null,"order_tags":[],"aftership_estimated_delivery_date":null,"custom_estimated_delivery_date":null,"order_number":`...)
	b = appendNullable(b, t.OrderNumber)
	b = append(b, `,"first_estimated_delivery":`...)
	b = appendFirstEstimate(b, t)
	b = append(b, `,"latest_estimated_delivery":`...)
	b = appendLatestEstimate(b, t)
	b = append(b, `,"shipment_tags":`...)
	b = appendStrings(b, t.ShipmentTags)
	b = append(b, `,"courier_connection_id":`...)
	b = appendNullable(b, t.CourierConnectionID)
	b = append(b, `,"carbon_emissions":null,"location_id":null,"shipping_method":null,"failed_delivery_attempts":`...)
	b = strconv.AppendInt(b, int64(failed), 10)
	b = append(b, `,"signature_requirement":null,"delivery_location_type":null,"aftership_tracking_url":`...)
	b = appendPageLinks(b, t, publicURL)
	b = append(b, `,"first_mile":null,"last_mile":null,"customers":`...)
	b = appendCustomersOf(b, t)
	b = append(b, `,"proof_of_delivery":`...)
	if len(t.ProofOfDelivery) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range t.ProofOfDelivery {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"url":`...)
			b = appendJSONString(b, p)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"multi_piece_info":null,"shipment_direction":`...)
	switch t.ShipmentDirection {
	case "outbound":
		b = append(b, `"forward"`...)
	case "return":
		b = append(b, `"return"`...)
	default:
		b = append(b, "null"...)
	}
	return append(b, `,"return_shipment":null,"forward_shipment":null}`...), true
}

// appendCheckpointOfDated appends the 2026-07 checkpoint object of c: the
// bytes appendCheckpointDated gives for renderCheckpointDated(*c).
func appendCheckpointOfDated(b []byte, c *waybill.Checkpoint) (_ []byte, ok bool) {
	b = append(b, `{"created_at":`...)
	b = appendTimeString(b, c.CreatedAt)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, c.Slug)
	b = append(b, `,"checkpoint_time":`...)
	b = appendJSONString(b, c.CheckpointTime)
	b = append(b, `,"location":`...)
	b = appendNullable(b, c.Location)
	b = append(b, `,"city":`...)
	b = appendNullable(b, c.City)
	b = append(b, `,"state":`...)
	b = appendNullable(b, c.State)
	b = append(b, `,"postal_code":`...)
	b = appendNullable(b, c.Zip)
	b = append(b, `,"coordinate":`...)
	if len(c.Coordinates) == 2 {
		b = append(b, `{"latitude":`...)
		if b, ok = appendFloat(b, c.Coordinates[0]); !ok {
			return b, false
		}
		b = append(b, `,"longitude":`...)
		if b, ok = appendFloat(b, c.Coordinates[1]); !ok {
			return b, false
		}
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"country_region":`...)
	b = appendISO2(b, c.CountryISO3)
	name := c.CountryName
	if name == "" {
		name = waybill.CountryName(c.CountryISO3)
	}
	b = append(b, `,"country_region_name":`...)
	b = appendNullable(b, name)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, c.Message)
	b = appendTagFields(b, c.Tag, c.Subtag)
	b = append(b, `,"raw_tag":`...)
	b = appendNullable(b, c.RawTag)
	b = append(b, `,"events":[],"source":"carrier","hash":"`...)
	b = appendCheckpointHash(b, c)
	return append(b, `"}`...), true
}

// appendTimeString appends tsString(t) as a JSON string: "" for the zero
// time. The form has no character JSON escapes.
func appendTimeString(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, `""`...)
	}
	return appendTime(b, t)
}

// appendISO2 appends iso2(iso3): the alpha-2 code, or null.
func appendISO2(b []byte, iso3 string) []byte {
	if iso3 == "" {
		return append(b, "null"...)
	}
	code, ok := waybill.CountryISO2(iso3)
	if !ok {
		return append(b, "null"...)
	}
	return appendJSONString(b, code)
}

// appendFirstEstimate and appendLatestEstimate append the estimates
// carrierEstimates gives (first_estimated_delivery and
// latest_estimated_delivery), or null.
func appendFirstEstimate(b []byte, t *waybill.Tracking) []byte {
	if t.ExpectedDelivery == "" {
		return append(b, "null"...)
	}
	b = append(b, `{"type":"specific","source":"Carrier EDD","datetime":`...)
	b = appendJSONString(b, cmpOr(t.FirstExpectedDelivery, t.ExpectedDelivery))
	return append(b, `,"datetime_min":null,"datetime_max":null,"revise_reason":null}`...)
}

func appendLatestEstimate(b []byte, t *waybill.Tracking) []byte {
	if t.ExpectedDelivery == "" {
		return append(b, "null"...)
	}
	if t.ExpectedDeliveryMin == "" && t.ExpectedDeliveryMax == "" {
		b = append(b, `{"type":"specific","source":"Carrier EDD","datetime":`...)
		b = appendJSONString(b, t.ExpectedDelivery)
		return append(b, `,"datetime_min":null,"datetime_max":null,"revise_reason":null}`...)
	}
	b = append(b, `{"type":"range","source":"Carrier EDD","datetime":`...)
	b = appendJSONString(b, t.ExpectedDelivery)
	b = append(b, `,"datetime_min":`...)
	b = appendNullable(b, t.ExpectedDeliveryMin)
	b = append(b, `,"datetime_max":`...)
	b = appendNullable(b, t.ExpectedDeliveryMax)
	return append(b, `,"revise_reason":null}`...)
}

// appendPageLinks appends the values of aftership_tracking_url and, after
// its key, aftership_tracking_order_url, as withPageLinks sets them.
func appendPageLinks(b []byte, t *waybill.Tracking, publicURL string) []byte {
	base := strings.TrimRight(publicURL, "/")
	if base == "" || t.PageToken == "" {
		return append(b, `null,"aftership_tracking_order_url":null`...)
	}
	start := len(b)
	b = appendJSONString(b, base+hostedPagePath+t.PageToken)
	page := b[start : len(b)-1] // the URL, escaped, without its closing quote
	b = append(b, `,"aftership_tracking_order_url":`...)
	if t.OrderNumber == "" {
		return append(b, "null"...)
	}
	b = append(b, page...)
	return append(b, `/order"`...)
}

// appendCustomersOf appends renderCustomers(*t).
func appendCustomersOf(b []byte, t *waybill.Tracking) []byte {
	n := max(len(t.Emails), len(t.Smses))
	if n == 0 && t.CustomerName != "" {
		n = 1
	}
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"role":null,"name":`...)
		if i == 0 {
			b = appendNullable(b, t.CustomerName)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"phone_number":`...)
		if i < len(t.Smses) {
			b = appendNullable(b, t.Smses[i])
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"email":`...)
		if i < len(t.Emails) {
			b = appendNullable(b, t.Emails[i])
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"language":`...)
		b = appendNullable(b, t.Language)
		b = append(b, `,"id":null}`...)
	}
	return append(b, ']')
}

// appendCheckpointHash appends waybill.CheckpointHash(*c) (32 hex digits)
// without its allocations: the same bytes hashed, written in a buffer on
// the stack when they fit. TestAppendCheckpointHash compares the two.
func appendCheckpointHash(b []byte, c *waybill.Checkpoint) []byte {
	var scratch [512]byte
	in := scratch[:0]
	for _, f := range [...]string{c.CheckpointTime, c.Message, c.City, c.State, c.Zip, c.CountryISO3, c.Location,
		c.RawTag, string(c.Tag), c.Subtag} {
		in = strconv.AppendInt(in, int64(len(f)), 10)
		in = append(in, ':')
		in = append(in, f...)
	}
	sum := sha256.Sum256(in)
	return hex.AppendEncode(b, sum[:16])
}
