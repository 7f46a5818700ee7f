package carrier

import (
	"strings"

	"github.com/waybillhq/waybill"
)

// MapStatus maps a carrier's raw status (and, failing that, the message) to
// a tag and subtag. A raw value that already is an AfterShip tag or subtag
// is taken as it is. ok is false when nothing matched; the answer is then
// InTransit_001, the generic in-transit status.
func MapStatus(slug, rawTag, message string) (tag waybill.Tag, subtag string, ok bool) {
	raw := strings.TrimSpace(rawTag)
	if t := waybill.Tag(raw); t.Valid() {
		return t, waybill.DefaultSubtag(t), true
	}
	if i := strings.IndexByte(raw, '_'); i > 0 && waybill.ValidSubtag(waybill.Tag(raw[:i]), raw) {
		return waybill.Tag(raw[:i]), raw, true
	}
	if table, found := statusTables[slug]; found && raw != "" {
		if sub, hit := table[strings.ToUpper(raw)]; hit {
			return tagOf(sub), sub, true
		}
	}
	if sub, hit := matchMessage(message); hit {
		return tagOf(sub), sub, true
	}
	if sub, hit := matchMessage(raw); hit {
		return tagOf(sub), sub, true
	}
	return waybill.TagInTransit, "InTransit_001", false
}

func tagOf(subtag string) waybill.Tag {
	return waybill.Tag(subtag[:strings.IndexByte(subtag, '_')])
}

// keywordRules map message fragments (lower case) to subtags, most
// specific first.
var keywordRules = []struct{ fragment, subtag string }{
	{"returned to sender", "Exception_011"},
	{"return to sender", "Exception_010"},
	{"returning to sender", "Exception_010"},
	{"refused", "Exception_003"},
	{"damaged", "Exception_012"},
	{"lost", "Exception_013"},
	{"incorrect address", "Exception_007"},
	{"address problem", "Exception_007"},
	{"held for payment", "Exception_006"},
	{"customs delay", "Exception_004"},
	{"held by customs", "Exception_004"},
	{"delayed", "Exception_005"},
	{"undeliverable", "Exception_001"},
	{"not delivered", "AttemptFail_001"},
	{"undelivered", "AttemptFail_001"},
	{"signed for by", "Delivered_003"},
	{"signed by", "Delivered_003"},
	{"delivered to neighbour", "Delivered_005"},
	{"delivered to neighbor", "Delivered_005"},
	{"picked up by customer", "Delivered_002"},
	{"collected by customer", "Delivered_002"},
	{"delivered", "Delivered_001"},
	{"ready for pickup", "AvailableForPickup_001"},
	{"available for pickup", "AvailableForPickup_001"},
	{"available for collection", "AvailableForPickup_001"},
	{"addressee not available", "AttemptFail_002"},
	{"business closed", "AttemptFail_003"},
	{"attempt", "AttemptFail_001"},
	{"out for delivery", "OutForDelivery_001"},
	{"with delivery courier", "OutForDelivery_001"},
	{"delivery appointment", "OutForDelivery_004"},
	{"customs clearance completed", "InTransit_005"},
	{"cleared customs", "InTransit_005"},
	{"customs", "InTransit_006"},
	{"arrived in destination country", "InTransit_004"},
	{"departed", "InTransit_007"},
	{"departure", "InTransit_007"},
	{"arrived", "InTransit_003"},
	{"arrival", "InTransit_003"},
	{"picked up", "InTransit_002"},
	{"accepted", "InTransit_002"},
	{"acceptance", "InTransit_002"},
	{"forwarded", "InTransit_009"},
	{"in transit", "InTransit_001"},
	{"label created", "InfoReceived_001"},
	{"shipment information received", "InfoReceived_001"},
	{"electronic notification", "InfoReceived_001"},
	{"pre-shipment", "InfoReceived_001"},
}

func matchMessage(msg string) (string, bool) {
	if msg == "" {
		return "", false
	}
	m := strings.ToLower(msg)
	for _, r := range keywordRules {
		if strings.Contains(m, r.fragment) {
			return r.subtag, true
		}
	}
	return "", false
}
