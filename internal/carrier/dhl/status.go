package dhl

import (
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
)

// DHL gives only five status codes (pre-transit, transit, delivered,
// failure, unknown); out for delivery, pickup points and failed attempts
// are in the event's words, in English or in the language of the
// service (German for parcel-de). textRules are Waybill's own reading of
// those words, checked before the generic keyword rules of
// carrier.MapStatus; the first match wins. They are a heuristic, tested
// on DHL's published examples, not a DHL vocabulary.
var textRules = []struct{ phrase, subtag string }{
	{"out with courier for delivery", "OutForDelivery_001"},
	{"zustellfahrzeug", "OutForDelivery_001"}, // "in das Zustellfahrzeug geladen"
	{"delivery vehicle", "OutForDelivery_001"},
	{"zustellversuch", "AttemptFail_001"},
	{"delivery attempt", "AttemptFail_001"},
	{"abholbereit", "AvailableForPickup_001"},
	{"zur abholung", "AvailableForPickup_001"},
	{"packstation", "AvailableForPickup_001"},
	{"parcel locker", "AvailableForPickup_001"},
	{"ready for pickup", "AvailableForPickup_001"},
	{"ready for collection", "AvailableForPickup_001"},
	{"shipment picked up", "InTransit_002"},
	{"arrived at dhl", "InTransit_003"},
	{"departed from", "InTransit_007"},
	{"elektronisch angekündigt", "InfoReceived_001"},
	{"electronically announced", "InfoReceived_001"},
	{"customs clearance status updated", "InTransit_006"},
	{"clearance processing complete", "InTransit_005"},
	{"processed for clearance", "InTransit_006"},
	{"shipment is on hold", "InTransit_001"},
}

// subtagOf maps an event: by its status code, refined by its words
// (textRules, then carrier.MapStatus's keywords) within what the code
// allows. An event with an unknown code or none is read from its words
// alone, and keeps prev, the status before it, when they say nothing.
func subtagOf(code, status, description, prev string) string {
	text := strings.ToLower(description + " " + status)
	byText, hit := matchText(text)
	switch strings.ToLower(code) {
	case "pre-transit":
		return "InfoReceived_001"
	case "transit":
		if hit {
			switch tagOf(byText) {
			case waybill.TagInTransit, waybill.TagOutForDelivery, waybill.TagAvailableForPickup, waybill.TagAttemptFail:
				return byText
			}
		}
		return "InTransit_001"
	case "delivered":
		if hit && tagOf(byText) == waybill.TagDelivered {
			return byText
		}
		return "Delivered_001"
	case "failure":
		if hit && (tagOf(byText) == waybill.TagAttemptFail || tagOf(byText) == waybill.TagException) {
			return byText
		}
		return "Exception_001"
	}
	if hit {
		return byText
	}
	if prev != "" {
		return prev
	}
	return "InTransit_001"
}

// matchText reads an event's words: DHL's own phrases first, then the
// generic keywords.
func matchText(text string) (string, bool) {
	for _, r := range textRules {
		if strings.Contains(text, r.phrase) {
			return r.subtag, true
		}
	}
	if _, sub, ok := carrier.MapStatus("", "", text); ok {
		return sub, true
	}
	return "", false
}

// tagOf is the tag a subtag belongs to.
func tagOf(subtag string) waybill.Tag {
	if i := strings.IndexByte(subtag, '_'); i > 0 {
		return waybill.Tag(subtag[:i])
	}
	return waybill.TagInTransit
}
