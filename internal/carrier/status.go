package carrier

import (
	"strings"

	"github.com/waybillhq/waybill"
)

// MapStatus maps a carrier's raw status to an AfterShip tag and subtag.
// It tries, in order:
//  1. a raw status that already is an AfterShip tag ("Delivered", taken with
//     its generic subtag) or subtag ("Delivered_003"), as the checkpoint push
//     API sends them;
//  2. the courier's status table (ups, fedex, usps, dhl and DHL's other
//     products), matched case-insensitively with surrounding spaces ignored;
//  3. keywords in the message ("out for delivery", "returned to sender", …),
//     then in the raw status itself, matched as whole words.
//
// ok is false when nothing matched; the answer is then InTransit_001, the
// generic "on its way" status, because a carrier that reports an event it
// cannot name has still seen the parcel. The subtag returned always belongs
// to the tag (waybill.ValidSubtag holds). MapStatus never panics.
func MapStatus(slug, rawTag, message string) (tag waybill.Tag, subtag string, ok bool) {
	raw := strings.TrimSpace(rawTag)
	if t := waybill.Tag(raw); t.Valid() {
		return t, waybill.DefaultSubtag(t), true
	}
	if i := strings.IndexByte(raw, '_'); i > 0 && waybill.ValidSubtag(waybill.Tag(raw[:i]), raw) {
		return waybill.Tag(raw[:i]), raw, true
	}
	if table, found := statusTables[strings.ToLower(strings.TrimSpace(slug))]; found && raw != "" {
		if sub, hit := table[normalizeRaw(raw)]; hit {
			return tagOf(sub), sub, true
		}
	}
	if sub, hit := matchKeywords(message); hit {
		return tagOf(sub), sub, true
	}
	if sub, hit := matchKeywords(raw); hit {
		return tagOf(sub), sub, true
	}
	return waybill.TagInTransit, "InTransit_001", false
}

// TagCheckpoint fills a checkpoint's tag and subtag, as a push sends it
// for courier slug: from its raw status and message (MapStatus) when it
// has neither, the tag from the subtag when it has only the subtag, and
// the tag's generic subtag when it has only the tag. A checkpoint with
// both is returned as it is. TagCheckpoint does not validate: whether the
// result is one of AfterShip's pairs is waybill.ValidSubtag's to say.
func TagCheckpoint(slug string, c waybill.Checkpoint) waybill.Checkpoint {
	switch {
	case c.Tag == "" && c.Subtag == "":
		c.Tag, c.Subtag, _ = MapStatus(slug, c.RawTag, c.Message)
	case c.Tag == "":
		c.Tag = waybill.Tag(c.Subtag[:max(strings.IndexByte(c.Subtag, '_'), 0)])
	case c.Subtag == "":
		c.Subtag = waybill.DefaultSubtag(c.Tag)
	}
	return c
}

// normalizeRaw upper-cases a raw status and collapses runs of spaces and
// underscores to one space, so "Out for Delivery", "OUT_FOR_DELIVERY" and
// "out  for delivery" find the same table entry.
func normalizeRaw(raw string) string {
	return strings.Join(strings.FieldsFunc(strings.ToUpper(raw), func(r rune) bool {
		return r == ' ' || r == '_' || r == '\t'
	}), " ")
}

// tagOf returns the tag a subtag belongs to ("InTransit_002" → InTransit).
// Every subtag in this package's tables has an underscore.
func tagOf(subtag string) waybill.Tag {
	if i := strings.IndexByte(subtag, '_'); i > 0 {
		return waybill.Tag(subtag[:i])
	}
	return waybill.Tag(subtag)
}

// keywordRules map message phrases (lower case, matched as whole words) to
// subtags. The first match wins, so the more specific phrase comes first:
// "returned to sender" before "delivered", "not delivered" before
// "delivered", "out for delivery" before "attempt" ("out for delivery,
// second attempt" is a van on its way, not a failure).
var keywordRules = []struct{ phrase, subtag string }{
	// Returns and hard exceptions.
	{"returned to sender", "Exception_011"},
	{"returned to shipper", "Exception_011"},
	{"return to sender", "Exception_010"},
	{"return to shipper", "Exception_010"},
	{"returning to sender", "Exception_010"},
	{"returning to shipper", "Exception_010"},
	{"refused", "Exception_003"},
	{"damaged", "Exception_012"},
	{"lost", "Exception_013"},
	{"customer moved", "Exception_002"},
	{"incorrect address", "Exception_007"},
	{"insufficient address", "Exception_007"},
	{"address problem", "Exception_007"},
	{"held for payment", "Exception_006"},
	{"awaiting payment", "Exception_006"},
	{"customs delay", "Exception_004"},
	{"held by customs", "Exception_004"},
	{"held in customs", "Exception_004"},
	{"undeliverable", "Exception_001"},
	// Failed attempts.
	{"not delivered", "AttemptFail_001"},
	{"undelivered", "AttemptFail_001"},
	{"addressee not available", "AttemptFail_002"},
	{"recipient not available", "AttemptFail_002"},
	{"not home", "AttemptFail_002"},
	{"business closed", "AttemptFail_003"},
	{"closed on arrival", "AttemptFail_003"},
	{"no authorized recipient", "AttemptFail_002"},
	{"notice left", "AttemptFail_001"},
	// Delivered.
	{"signed for by", "Delivered_003"},
	{"signed by", "Delivered_003"},
	{"delivered to neighbour", "Delivered_005"},
	{"delivered to neighbor", "Delivered_005"},
	{"picked up by customer", "Delivered_002"},
	{"picked up by the customer", "Delivered_002"},
	{"collected by customer", "Delivered_002"},
	{"delivered", "Delivered_001"},
	// Weaker exceptions: a message that also says "delivered" is a delivery.
	{"held at post office", "AvailableForPickup_001"},
	{"held for pickup", "AvailableForPickup_001"},
	{"held", "Exception_001"},
	{"delayed", "Exception_005"},
	{"exception", "Exception_001"},
	{"cancelled", "Exception_001"},
	{"canceled", "Exception_001"},
	// Pickup points.
	{"ready for pickup", "AvailableForPickup_001"},
	{"available for pickup", "AvailableForPickup_001"},
	{"available for collection", "AvailableForPickup_001"},
	{"awaiting collection", "AvailableForPickup_001"},
	// Last mile.
	{"out for delivery", "OutForDelivery_001"},
	{"with delivery courier", "OutForDelivery_001"},
	{"on vehicle for delivery", "OutForDelivery_001"},
	{"delivery appointment", "OutForDelivery_004"},
	{"delivery attempt", "AttemptFail_001"},
	{"attempted", "AttemptFail_001"},
	{"attempt", "AttemptFail_001"},
	// Transit.
	{"customs clearance completed", "InTransit_005"},
	{"cleared customs", "InTransit_005"},
	{"clearance completed", "InTransit_005"},
	{"customs", "InTransit_006"},
	{"arrived in destination country", "InTransit_004"},
	{"arrived at destination country", "InTransit_004"},
	{"forwarded", "InTransit_009"},
	{"departed", "InTransit_007"},
	{"departure", "InTransit_007"},
	{"arrived", "InTransit_003"},
	{"arrival", "InTransit_003"},
	{"picked up", "InTransit_002"},
	{"accepted", "InTransit_002"},
	{"acceptance", "InTransit_002"},
	{"in transit", "InTransit_001"},
	// Before the carrier has the parcel.
	{"label created", "InfoReceived_001"},
	{"shipping label created", "InfoReceived_001"},
	{"shipment information received", "InfoReceived_001"},
	{"electronic notification", "InfoReceived_001"},
	{"pre-shipment", "InfoReceived_001"},
	{"order processed", "InfoReceived_001"},
}

// matchKeywords returns the subtag of the first keyword rule whose phrase
// occurs in text as whole words.
func matchKeywords(text string) (string, bool) {
	if text == "" {
		return "", false
	}
	m := strings.ToLower(text)
	for _, r := range keywordRules {
		if containsWords(m, r.phrase) {
			return r.subtag, true
		}
	}
	return "", false
}

// containsWords reports whether phrase occurs in s with a non-letter (or
// the end of s) on each side: "lost" is in "parcel lost." but not in
// "Lostock Hall".
func containsWords(s, phrase string) bool {
	for from := 0; from <= len(s)-len(phrase); {
		i := strings.Index(s[from:], phrase)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(phrase)
		if (start == 0 || !isLetter(s[start-1])) && (end == len(s) || !isLetter(s[end])) {
			return true
		}
		from = start + 1
	}
	return false
}

// isLetter is deliberately ASCII-only: the phrases are English, and a byte
// of a multi-byte rune counts as a letter so that a phrase is never found
// inside a non-English word.
func isLetter(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}
