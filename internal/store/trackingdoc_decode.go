package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
)

// The decoder in this file reads a tracking document in the one form the
// store writes (json.Marshal of a trackingDoc: its own field names in the
// struct's order, no white space) without encoding/json's reflection (8 % of
// a get's samples in docs/benchmarks/api.md). It gives up on anything else
// — an unknown, repeated or reordered field, invalid UTF-8, a value of an
// unexpected kind — and decodeTracking then hands the document to
// json.Unmarshal, so every document decodes exactly as json.Unmarshal
// decodes it (TestDecodeTrackingDocFast proves it over many documents).

// errSlowPath says the document is not in the form the fast decoder reads.
var errSlowPath = errors.New("tracking document: not in the stored form")

// docReader reads JSON values from a document, front to back.
type docReader struct {
	s string
	i int
}

func (r *docReader) next() byte {
	if r.i < len(r.s) {
		return r.s[r.i]
	}
	return 0
}

// consume skips c, or fails.
func (r *docReader) consume(c byte) error {
	if r.next() != c {
		return errSlowPath
	}
	r.i++
	return nil
}

// null reports whether the next value is null, and skips it.
func (r *docReader) null() bool {
	if strings.HasPrefix(r.s[r.i:], "null") {
		r.i += 4
		return true
	}
	return false
}

// str reads a string as json.Unmarshal does. One without escapes, valid
// UTF-8 and free of control characters is the text between its quotes,
// returned without a copy.
func (r *docReader) str() (string, error) {
	if err := r.consume('"'); err != nil {
		return "", err
	}
	start := r.i
	ascii := true
	for ; r.i < len(r.s); r.i++ {
		c := r.s[r.i]
		switch {
		case c == '"':
			v := r.s[start:r.i]
			r.i++
			if !ascii && !utf8.ValidString(v) {
				return "", errSlowPath
			}
			return v, nil
		case c == '\\':
			return r.escapedStr(start - 1)
		case c < 0x20:
			return "", errSlowPath
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", errSlowPath
}

// escapedStr reads the string that starts at the quote at start and has
// an escape (rare in stored documents: json.Marshal escapes <, > and &
// among others), unquoted by encoding/json.
func (r *docReader) escapedStr(start int) (string, error) {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case '\\':
			r.i += 2
		case '"':
			r.i++
			var v string
			if err := json.Unmarshal([]byte(r.s[start:r.i]), &v); err != nil {
				return "", errSlowPath
			}
			return v, nil
		default:
			r.i++
		}
	}
	return "", errSlowPath
}

// optStr reads a string or null ("", as json.Unmarshal leaves it).
func (r *docReader) optStr(dst *string) error {
	if r.null() {
		return nil
	}
	v, err := r.str()
	*dst = v
	return err
}

// tag reads a tag: a string or null.
func (r *docReader) tag(dst *waybill.Tag) error {
	var v string
	err := r.optStr(&v)
	*dst = waybill.Tag(v)
	return err
}

// number returns the text of a JSON number, checked against JSON's grammar.
func (r *docReader) number() (string, error) {
	start := r.i
	if r.next() == '-' {
		r.i++
	}
	switch c := r.next(); {
	case c == '0':
		r.i++
	case c >= '1' && c <= '9':
		r.digits()
	default:
		return "", errSlowPath
	}
	if r.next() == '.' {
		r.i++
		if r.digits() == 0 {
			return "", errSlowPath
		}
	}
	if c := r.next(); c == 'e' || c == 'E' {
		r.i++
		if c := r.next(); c == '+' || c == '-' {
			r.i++
		}
		if r.digits() == 0 {
			return "", errSlowPath
		}
	}
	return r.s[start:r.i], nil
}

func (r *docReader) digits() int {
	start := r.i
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
	}
	return r.i - start
}

func (r *docReader) int(dst *int) error {
	if r.null() {
		return nil
	}
	n, err := r.number()
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(n)
	if err != nil {
		return errSlowPath
	}
	*dst = v
	return nil
}

func (r *docReader) float() (float64, error) {
	n, err := r.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return 0, errSlowPath
	}
	return v, nil
}

func (r *docReader) bool(dst *bool) error {
	switch {
	case r.null():
	case strings.HasPrefix(r.s[r.i:], "true"):
		r.i += 4
		*dst = true
	case strings.HasPrefix(r.s[r.i:], "false"):
		r.i += 5
		*dst = false
	default:
		return errSlowPath
	}
	return nil
}

// time reads a time as time.Time's UnmarshalJSON does.
func (r *docReader) time(dst *time.Time) error {
	if r.null() {
		return nil
	}
	v, err := r.str()
	if err != nil {
		return err
	}
	if err := dst.UnmarshalText([]byte(v)); err != nil {
		return errSlowPath
	}
	return nil
}

// strings reads a list of strings; null is nil.
func (r *docReader) strings(dst *[]string) error {
	if r.null() {
		*dst = nil
		return nil
	}
	if err := r.consume('['); err != nil {
		return err
	}
	out := []string{}
	for r.next() != ']' {
		if len(out) > 0 {
			if err := r.consume(','); err != nil {
				return err
			}
		}
		v, err := r.str()
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	r.i++
	*dst = out
	return nil
}

// object reads an object's fields, calling field with each key with the
// reader at its value; it fails on a key seen before in the object.
func (r *docReader) object(field func(key string) error) error {
	if err := r.consume('{'); err != nil {
		return err
	}
	first := true
	for r.next() != '}' {
		if !first {
			if err := r.consume(','); err != nil {
				return err
			}
		}
		first = false
		k, err := r.str()
		if err != nil {
			return err
		}
		if err := r.consume(':'); err != nil {
			return err
		}
		if err := field(k); err != nil {
			return err
		}
	}
	r.i++
	return nil
}

// trackingDocFields numbers the JSON names of trackingDoc's fields in the
// struct's order.
var trackingDocFields = func() map[string]int {
	t := reflect.TypeFor[trackingDoc]()
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}()

// decodeTrackingFast decodes doc in the store's form straight into the
// tracking it stores (what trackingDoc.tracking gives for it), or returns
// errSlowPath. OrgID is the caller's to set.
func decodeTrackingFast(doc string) (waybill.Tracking, error) {
	var t waybill.Tracking
	r := &docReader{s: doc}
	last := -1
	err := r.object(func(k string) error {
		// json.Marshal writes the fields in the struct's order, so a key
		// out of that order (or repeated) is another writer's document.
		i, ok := trackingDocFields[k]
		if !ok || i <= last {
			return errSlowPath
		}
		last = i
		return r.trackingField(&t, k)
	})
	if err == nil && r.i != len(r.s) {
		err = errSlowPath
	}
	return t, err
}

func (r *docReader) trackingField(d *waybill.Tracking, k string) error {
	switch k {
	case "id":
		return r.optStr(&d.ID)
	case "page_token":
		return r.optStr(&d.PageToken)
	case "created_at":
		return r.time(&d.CreatedAt)
	case "updated_at":
		return r.time(&d.UpdatedAt)
	case "last_updated_at":
		return r.time(&d.LastUpdatedAt)
	case "tracking_number":
		return r.optStr(&d.TrackingNumber)
	case "slug":
		return r.optStr(&d.Slug)
	case "active":
		return r.bool(&d.Active)
	case "tag":
		return r.tag(&d.Tag)
	case "subtag":
		return r.optStr(&d.Subtag)
	case "checkpoints":
		return r.checkpoints(&d.Checkpoints)
	case "title":
		return r.optStr(&d.Title)
	case "order_id":
		return r.optStr(&d.OrderID)
	case "order_id_path":
		return r.optStr(&d.OrderIDPath)
	case "order_number":
		return r.optStr(&d.OrderNumber)
	case "order_date":
		return r.optStr(&d.OrderDate)
	case "order_promised_delivery_date":
		return r.optStr(&d.OrderPromisedDeliveryDate)
	case "custom_fields":
		return r.stringMap(&d.CustomFields)
	case "customer_name":
		return r.optStr(&d.CustomerName)
	case "language":
		return r.optStr(&d.Language)
	case "source":
		return r.optStr(&d.Source)
	case "note":
		return r.optStr(&d.Note)
	case "emails":
		return r.strings(&d.Emails)
	case "smses":
		return r.strings(&d.Smses)
	case "subscribed_emails":
		return r.strings(&d.SubscribedEmails)
	case "subscribed_smses":
		return r.strings(&d.SubscribedSmses)
	case "tracked_count":
		return r.int(&d.TrackedCount)
	case "retrack_count":
		return r.int(&d.RetrackCount)
	case "completed_reason":
		return r.optStr(&d.CompletedReason)
	case "shipment_package_count":
		return r.int(&d.ShipmentPackageCount)
	case "shipment_pickup_date":
		return r.optStr(&d.ShipmentPickupDate)
	case "shipment_delivery_date":
		return r.optStr(&d.ShipmentDeliveryDate)
	case "shipment_type":
		return r.optStr(&d.ShipmentType)
	case "shipment_weight":
		if r.null() {
			d.ShipmentWeight = nil
			return nil
		}
		v, err := r.float()
		d.ShipmentWeight = &v
		return err
	case "shipment_weight_unit":
		return r.optStr(&d.ShipmentWeightUnit)
	case "signed_by":
		return r.optStr(&d.SignedBy)
	case "origin_country_iso3":
		return r.optStr(&d.OriginCountryISO3)
	case "destination_country_iso3":
		return r.optStr(&d.DestinationCountryISO3)
	case "destination_raw_location":
		return r.optStr(&d.DestinationRawLocation)
	case "destination_city":
		return r.optStr(&d.DestinationCity)
	case "destination_state":
		return r.optStr(&d.DestinationState)
	case "destination_postal_code":
		return r.optStr(&d.DestinationPostalCode)
	case "expected_delivery":
		return r.optStr(&d.ExpectedDelivery)
	case "expected_delivery_min":
		return r.optStr(&d.ExpectedDeliveryMin)
	case "expected_delivery_max":
		return r.optStr(&d.ExpectedDeliveryMax)
	case "first_expected_delivery":
		return r.optStr(&d.FirstExpectedDelivery)
	case "carrier_pickup_date":
		return r.optStr(&d.CarrierPickupDate)
	case "carrier_delivery_date":
		return r.optStr(&d.CarrierDeliveryDate)
	case "proof_of_delivery":
		return r.strings(&d.ProofOfDelivery)
	case "delivery_time":
		if r.null() {
			d.DeliveryTime = nil
			return nil
		}
		var v int
		d.DeliveryTime = &v
		return r.int(&v)
	case "return_to_sender":
		return r.bool(&d.ReturnToSender)
	case "first_attempted_at":
		return r.optStr(&d.FirstAttemptedAt)
	case "delivery_type":
		return r.optStr(&d.DeliveryType)
	case "pickup_location":
		return r.optStr(&d.PickupLocation)
	case "pickup_note":
		return r.optStr(&d.PickupNote)
	case "shipment_direction":
		return r.optStr(&d.ShipmentDirection)
	case "courier_connection_id":
		return r.optStr(&d.CourierConnectionID)
	case "shipment_tags":
		return r.strings(&d.ShipmentTags)
	case "courier_fields":
		if r.null() {
			return nil
		}
		return r.courierFields(&d.CourierFields)
	case "next_poll_at":
		return r.time(&d.NextPollAt)
	}
	return errSlowPath
}

func (r *docReader) stringMap(dst *map[string]string) error {
	if r.null() {
		*dst = nil
		return nil
	}
	m := map[string]string{}
	err := r.object(func(k string) error {
		if _, dup := m[k]; dup {
			return errSlowPath
		}
		v, err := r.str()
		m[k] = v
		return err
	})
	*dst = m
	return err
}

func (r *docReader) courierFields(f *waybill.CourierFields) error {
	seen := 0
	return r.object(func(k string) error {
		var dst *string
		var bit int
		switch k {
		case "tracking_postal_code":
			dst, bit = &f.PostalCode, 1
		case "tracking_ship_date":
			dst, bit = &f.ShipDate, 2
		case "tracking_account_number":
			dst, bit = &f.AccountNumber, 4
		case "tracking_key":
			dst, bit = &f.Key, 8
		case "tracking_origin_country":
			dst, bit = &f.OriginCountry, 16
		case "tracking_destination_country":
			dst, bit = &f.DestinationCountry, 32
		case "tracking_state":
			dst, bit = &f.State, 64
		default:
			return errSlowPath
		}
		if seen&bit != 0 {
			return errSlowPath
		}
		seen |= bit
		return r.optStr(dst)
	})
}

// checkpoints reads the list of checkpoints; null is nil. The list is
// allocated once, at the size the document's checkpoint_time keys give
// (one per checkpoint json.Marshal writes), instead of grown by appending:
// the growth was a third of a listed document's decoding.
func (r *docReader) checkpoints(dst *[]waybill.Checkpoint) error {
	if r.null() {
		*dst = nil
		return nil
	}
	if err := r.consume('['); err != nil {
		return err
	}
	out := make([]waybill.Checkpoint, 0, strings.Count(r.s[r.i:], `"checkpoint_time":`))
	for r.next() != ']' {
		if len(out) > 0 {
			if err := r.consume(','); err != nil {
				return err
			}
		}
		out = append(out, waybill.Checkpoint{})
		if err := r.checkpoint(&out[len(out)-1]); err != nil {
			return err
		}
	}
	r.i++
	*dst = out
	return nil
}

func (r *docReader) checkpoint(c *waybill.Checkpoint) error {
	seen := 0
	return r.object(func(k string) error {
		var bit int
		var err error
		switch k {
		case "slug":
			bit, err = 1, r.optStr(&c.Slug)
		case "created_at":
			bit, err = 2, r.time(&c.CreatedAt)
		case "checkpoint_time":
			bit, err = 4, r.optStr(&c.CheckpointTime)
		case "city":
			bit, err = 8, r.optStr(&c.City)
		case "state":
			bit, err = 16, r.optStr(&c.State)
		case "zip":
			bit, err = 32, r.optStr(&c.Zip)
		case "country_iso3":
			bit, err = 64, r.optStr(&c.CountryISO3)
		case "country_name":
			bit, err = 128, r.optStr(&c.CountryName)
		case "location":
			bit, err = 256, r.optStr(&c.Location)
		case "coordinates":
			bit, err = 512, r.coordinates(&c.Coordinates)
		case "message":
			bit, err = 1024, r.optStr(&c.Message)
		case "tag":
			bit, err = 2048, r.tag(&c.Tag)
		case "subtag":
			bit, err = 4096, r.optStr(&c.Subtag)
		case "raw_tag":
			bit, err = 8192, r.optStr(&c.RawTag)
		default:
			return errSlowPath
		}
		if seen&bit != 0 {
			return errSlowPath
		}
		seen |= bit
		return err
	})
}

func (r *docReader) coordinates(dst *[]float64) error {
	if r.null() {
		*dst = nil
		return nil
	}
	if err := r.consume('['); err != nil {
		return err
	}
	out := []float64{}
	for r.next() != ']' {
		if len(out) > 0 {
			if err := r.consume(','); err != nil {
				return err
			}
		}
		v, err := r.float()
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	r.i++
	*dst = out
	return nil
}

// decodeTracking reads a stored tracking document as json.Unmarshal into
// a trackingDoc and its tracking method read it, by the fast decoder when
// the document is in the store's form; the caller sets what the row's
// columns hold (OrgID, and the id, token and times it trusts over the
// document's).
func decodeTracking(doc string) (waybill.Tracking, error) {
	if t, err := decodeTrackingFast(doc); err == nil {
		return t, nil
	}
	var d trackingDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return waybill.Tracking{}, err
	}
	return d.tracking(), nil
}
