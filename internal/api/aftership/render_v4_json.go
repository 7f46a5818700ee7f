package aftership

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
)

// appendTrackingV4 appends the v4 tracking object of t: the bytes
// json.Marshal(renderTrackingV4(t)) gives, field for field, without
// reflection and without building the object (TestAppendTrackingV4
// compares the two over many trackings). ok is false when t holds a number
// JSON cannot carry (NaN or an infinity), on which json.Marshal fails.
func appendTrackingV4(b []byte, t waybill.Tracking) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, t.ID)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, t.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, t.UpdatedAt)
	b = append(b, `,"last_updated_at":`...)
	b = appendTime(b, t.LastUpdatedAt)
	b = append(b, `,"tracking_number":`...)
	b = appendJSONString(b, t.TrackingNumber)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, t.Slug)
	b = append(b, `,"active":`...)
	b = appendBool(b, t.Active)
	b = append(b, `,"android":[],"custom_fields":`...)
	b = appendStringMap(b, t.CustomFields)
	b = append(b, `,"customer_name":`...)
	b = appendNullable(b, t.CustomerName)
	b = append(b, `,"delivery_time":`...)
	if t.DeliveryTime == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*t.DeliveryTime), 10)
	}
	b = append(b, `,"destination_country_iso3":`...)
	b = appendNullable(b, t.DestinationCountryISO3)
	b = append(b, `,"destination_raw_location":`...)
	b = appendNullable(b, t.DestinationRawLocation)
	b = append(b, `,"courier_destination_country_iso3":`...)
	b = appendNullable(b, t.DestinationCountryISO3)
	b = append(b, `,"emails":`...)
	b = appendStrings(b, t.Emails)
	b = append(b, `,"expected_delivery":`...)
	b = appendNullable(b, t.ExpectedDelivery)
	b = append(b, `,"ios":[],"note":`...)
	b = appendNullable(b, t.Note)
	b = append(b, `,"order_id":`...)
	b = appendNullable(b, t.OrderID)
	b = append(b, `,"order_id_path":`...)
	b = appendNullable(b, t.OrderIDPath)
	b = append(b, `,"order_number":`...)
	b = appendNullable(b, t.OrderNumber)
	b = append(b, `,"order_date":`...)
	b = appendNullable(b, t.OrderDate)
	b = append(b, `,"origin_country_iso3":`...)
	b = appendNullable(b, t.OriginCountryISO3)
	b = append(b, `,"shipment_package_count":`...)
	b = strconv.AppendInt(b, int64(t.ShipmentPackageCount), 10)
	b = append(b, `,"shipment_pickup_date":`...)
	b = appendNullable(b, t.ShipmentPickupDate)
	b = append(b, `,"shipment_delivery_date":`...)
	b = appendNullable(b, t.ShipmentDeliveryDate)
	b = append(b, `,"shipment_type":`...)
	b = appendNullable(b, t.ShipmentType)
	b = append(b, `,"shipment_weight":`...)
	if t.ShipmentWeight == nil {
		b = append(b, "null"...)
	} else if b, ok = appendFloat(b, *t.ShipmentWeight); !ok {
		return b, false
	}
	b = append(b, `,"shipment_weight_unit":`...)
	b = appendNullable(b, t.ShipmentWeightUnit)
	b = append(b, `,"signed_by":`...)
	b = appendNullable(b, t.SignedBy)
	b = append(b, `,"smses":`...)
	b = appendStrings(b, t.Smses)
	b = appendSourceToTrackedCount(b, &t)
	b = append(b, `,"last_mile_tracking_supported":null,"language":`...)
	b = appendNullable(b, t.Language)
	b = append(b, `,"unique_token":"deprecated","checkpoints":[`...)
	for i, c := range t.Checkpoints {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendCheckpointV4(b, c); !ok {
			return b, false
		}
	}
	b = append(b, `],"subscribed_smses":`...)
	b = appendStrings(b, t.SubscribedSmses)
	b = append(b, `,"subscribed_emails":`...)
	b = appendStrings(b, t.SubscribedEmails)
	b = append(b, `,"return_to_sender":`...)
	b = appendBool(b, t.ReturnToSender)
	cf := t.CourierFields
	b = append(b, `,"tracking_account_number":`...)
	b = appendNullable(b, cf.AccountNumber)
	b = append(b, `,"tracking_origin_country":`...)
	b = appendNullable(b, cf.OriginCountry)
	b = append(b, `,"tracking_destination_country":`...)
	b = appendNullable(b, cf.DestinationCountry)
	b = append(b, `,"tracking_key":`...)
	b = appendNullable(b, cf.Key)
	b = append(b, `,"tracking_postal_code":`...)
	b = appendNullable(b, cf.PostalCode)
	b = append(b, `,"tracking_ship_date":`...)
	b = appendNullable(b, cf.ShipDate)
	b = append(b, `,"tracking_state":`...)
	b = appendNullable(b, cf.State)
	b = append(b, `,"order_promised_delivery_date":`...)
	b = appendNullable(b, t.OrderPromisedDeliveryDate)
	b = append(b, `,"delivery_type":`...)
	b = appendNullable(b, t.DeliveryType)
	b = append(b, `,"pickup_location":`...)
	b = appendNullable(b, t.PickupLocation)
	b = append(b, `,"pickup_note":`...)
	b = appendNullable(b, t.PickupNote)
	link := courierLink(t)
	b = append(b, `,"courier_tracking_link":`...)
	b = appendLink(b, link)
	b = append(b, `,"first_attempted_at":`...)
	b = appendNullable(b, t.FirstAttemptedAt)
	b = append(b, `,"courier_redirect_link":`...)
	b = appendLink(b, link)
	b = append(b, `,"on_time_status":null,"on_time_difference":null,"order_tags":[],"aftership_estimated_delivery_date":null,"courier_connection_id":`...)
	b = appendNullable(b, t.CourierConnectionID)
	return append(b, '}'), true
}

// appendSourceToTrackedCount appends the run of fields from source to
// tracked_count, each with its key and a leading comma, which the v4 and
// the 2026-07 objects share.
func appendSourceToTrackedCount(b []byte, t *waybill.Tracking) []byte {
	b = append(b, `,"source":`...)
	b = appendJSONString(b, t.Source)
	b = appendTagFields(b, t.Tag, t.Subtag)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, t.Title)
	b = append(b, `,"tracked_count":`...)
	return strconv.AppendInt(b, int64(t.TrackedCount), 10)
}

// appendTagFields appends the tag, subtag and subtag_message fields, each
// with its key and a leading comma, as a tracking and a checkpoint of
// either API version have them.
func appendTagFields(b []byte, tag waybill.Tag, subtag string) []byte {
	b = append(b, `,"tag":`...)
	b = appendJSONString(b, string(tag))
	b = append(b, `,"subtag":`...)
	b = appendJSONString(b, subtag)
	b = append(b, `,"subtag_message":`...)
	return appendJSONString(b, waybill.SubtagMessage(subtag))
}

func appendLink(b []byte, link *string) []byte {
	if link == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *link)
}

// appendCheckpointV4 appends the v4 checkpoint object of c: the bytes
// json.Marshal(renderCheckpointV4(c)) gives. ok is false for a coordinate
// JSON cannot carry.
func appendCheckpointV4(b []byte, c waybill.Checkpoint) (_ []byte, ok bool) {
	b = append(b, `{"slug":`...)
	b = appendJSONString(b, c.Slug)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, c.CreatedAt)
	b = append(b, `,"checkpoint_time":`...)
	b = appendJSONString(b, c.CheckpointTime)
	b = append(b, `,"city":`...)
	b = appendNullable(b, c.City)
	b = append(b, `,"coordinates":[`...)
	for i, f := range c.Coordinates {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendFloat(b, f); !ok {
			return b, false
		}
	}
	b = append(b, `],"country_iso3":`...)
	b = appendNullable(b, c.CountryISO3)
	b = append(b, `,"country_name":`...)
	b = appendNullable(b, c.CountryName)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, c.Message)
	b = append(b, `,"state":`...)
	b = appendNullable(b, c.State)
	b = append(b, `,"location":`...)
	b = appendNullable(b, c.Location)
	b = appendTagFields(b, c.Tag, c.Subtag)
	b = append(b, `,"zip":`...)
	b = appendNullable(b, c.Zip)
	b = append(b, `,"raw_tag":`...)
	b = appendNullable(b, c.RawTag)
	return append(b, '}'), true
}

// writeTrackingV4 answers with the envelope {"meta": m, "data":
// {"tracking": <t's v4 object>}}: the bytes writeEnvelope writes for it,
// with a Content-Length. A tracking JSON cannot carry goes to
// writeEnvelope, which answers as it always has.
func writeTrackingV4(w http.ResponseWriter, status int, m meta, t waybill.Tracking) {
	bp := jsonBuffers.get()
	defer jsonBuffers.put(bp)
	b, ok := appendTrackingEnvelopeV4(*bp, m, t)
	*bp = b
	if !ok {
		writeEnvelope(w, status, m, map[string]any{"tracking": renderTrackingV4(t)})
		return
	}
	writeJSONBytes(w, status, b)
}

// appendTrackingEnvelopeV4 appends the body writeTrackingV4 writes, its
// newline included; ok is false when t holds a number JSON cannot carry
// (appendTrackingV4).
func appendTrackingEnvelopeV4(b []byte, m meta, t waybill.Tracking) (_ []byte, ok bool) {
	b = append(b, `{"meta":{"code":`...)
	b = strconv.AppendInt(b, int64(m.Code), 10)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, m.Message)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, m.Type)
	b = append(b, `},"data":{"tracking":`...)
	if b, ok = appendTrackingV4(b, t); !ok {
		return b, false
	}
	return append(b, "}}\n"...), true
}

// appendTrackingOKV4 appends the body writeTrackingOKV4 writes.
func appendTrackingOKV4(b []byte, t waybill.Tracking) ([]byte, bool) {
	return appendTrackingEnvelopeV4(b, meta{200, "", typeOK}, t)
}

// writeJSONBytes answers status with body b, a whole JSON document, and its
// Content-Length: the ending of every response written by appending.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeTrackingOKV4 answers 200 with t's v4 object.
func writeTrackingOKV4(w http.ResponseWriter, t waybill.Tracking) {
	writeTrackingV4(w, http.StatusOK, meta{200, "", typeOK}, t)
}

// writeTrackingV4Fields answers 200 with t's v4 object, or with only the
// requested fields of it (selectFields).
func writeTrackingV4Fields(w http.ResponseWriter, t waybill.Tracking, fields string) {
	if strings.TrimSpace(fields) != "" {
		writeOK(w, map[string]any{"tracking": selectFields(renderTrackingV4(t), fields)})
		return
	}
	writeTrackingOKV4(w, t)
}
