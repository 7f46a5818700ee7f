package ups

import (
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
)

// UPS reports each scan with a type (D delivered, I in transit, M label,
// MV voided, X exception, U update), a two-letter activity code and a
// three-digit status code. The three-digit code is the most specific, so
// it is looked up first, then the activity code, then the type.

// byStatusCode maps UPS's three-digit status/description codes.
var byStatusCode = map[string]string{
	// Label created, before UPS has the parcel.
	"003": "InfoReceived_001", "079": "InfoReceived_001", "080": "InfoReceived_001",
	"157": "InfoReceived_001", "166": "InfoReceived_001",
	"044": "InfoReceived_001", "045": "InfoReceived_001", // on the way to UPS
	"065": "InfoReceived_001", "131": "InfoReceived_001", "135": "InfoReceived_001", // pickup attempts
	// Picked up / in UPS's hands.
	"038": "InTransit_002", "160": "InTransit_002", "167": "InTransit_002", "168": "InTransit_002", "169": "InTransit_002",
	// On the way.
	"005": "InTransit_001", "010": "InTransit_001", "025": "InTransit_001", "039": "InTransit_001", "047": "InTransit_001",
	"087": "InTransit_001", "158": "InTransit_001", "159": "InTransit_001", "164": "InTransit_001", "165": "InTransit_001",
	"016": "InTransit_001", "071": "InTransit_001", "078": "InTransit_001",
	"019": "InTransit_001", "020": "InTransit_001", // held for a future delivery date
	"012": "InTransit_006", "092": "InTransit_006", // clearance in progress
	"014": "InTransit_005", "084": "InTransit_005", "134": "InTransit_005", // cleared
	// Out for delivery.
	"006": "OutForDelivery_001", "021": "OutForDelivery_001", "037": "OutForDelivery_001", "072": "OutForDelivery_001",
	"089": "OutForDelivery_001", "091": "OutForDelivery_001", "146": "OutForDelivery_001", "162": "OutForDelivery_001",
	// Waiting at a pickup point.
	"017": "AvailableForPickup_001", "040": "AvailableForPickup_001", "144": "AvailableForPickup_001", "161": "AvailableForPickup_001",
	"018": "AvailableForPickup_001", "107": "AvailableForPickup_001",
	// Delivery attempts.
	"022": "AttemptFail_001", "023": "AttemptFail_001", "024": "AttemptFail_001", "060": "AttemptFail_001",
	"061": "AttemptFail_001", "062": "AttemptFail_001", "066": "AttemptFail_001", "145": "AttemptFail_001",
	// Delivered.
	"011": "Delivered_001", "026": "Delivered_001", "143": "Delivered_001",
	// Exceptions.
	"013": "Exception_001", "029": "Exception_001", "069": "Exception_001", "076": "Exception_001",
	"147": "Exception_001", "149": "Exception_001", "007": "Exception_001", // 007: label voided
	"050": "Exception_001", "058": "Exception_001", "124": "Exception_001", "125": "Exception_001", // information required
	"032": "Exception_005", "046": "Exception_005", "048": "Exception_005", "049": "Exception_005", "051": "Exception_005",
	"052": "Exception_005", "053": "Exception_005", "086": "Exception_005", "090": "Exception_005", // delays
	"033": "Exception_010", "035": "Exception_010", "036": "Exception_010", "118": "Exception_010", "119": "Exception_010",
	"034": "Exception_011",                         // returned to sender
	"059": "Exception_012", "081": "Exception_012", // damaged
	"064": "Exception_003", // refused
	"068": "Exception_013", // lost and found
}

// byActivityCode maps UPS's two-letter activity codes.
var byActivityCode = map[string]string{
	"MP": "InfoReceived_001", "RD": "InfoReceived_001",
	"VP": "Exception_001", // voided
	"OR": "InTransit_002", "PU": "InTransit_002", "XD": "InTransit_002",
	"AR": "InTransit_003", "DS": "InTransit_003", "HU": "InTransit_003", "WH": "InTransit_003",
	"DP": "InTransit_007", "EP": "InTransit_007",
	"IP": "InTransit_004", // import scan: arrived in the destination country
	"OT": "OutForDelivery_001", "OF": "OutForDelivery_001", "OD": "OutForDelivery_001",
	"YF": "OutForDelivery_001", "YI": "OutForDelivery_001", "YP": "OutForDelivery_001",
	"2Q": "AvailableForPickup_001",
	"FS": "Delivered_001", "KB": "Delivered_001", "F4": "Delivered_001", "KM": "Delivered_001", "ML": "Delivered_001",
}

// byType maps UPS's activity types, the last resort. U (an update of a
// date, time or photo) is not here: it keeps the status it updates.
var byType = map[string]string{
	"M": "InfoReceived_001", "MV": "Exception_001", "I": "InTransit_001", "D": "Delivered_001",
	"X": "Exception_001", "DO": "InTransit_001", "DD": "Delivered_001", "W": "InTransit_001",
}

// subtagOf maps a UPS status to an AfterShip subtag; known is false when
// no table knows it (the caller then keeps the previous status).
//
// A delivery type wins over the other codes (UPS may send a delivery with
// an activity code that names where it was left), and an exception type
// whose codes are not an exception of the tables stays a generic
// exception, so that an X scan never reads as mere transit.
func subtagOf(s status) (subtag string, known bool) {
	typ := strings.ToUpper(strings.TrimSpace(s.Type))
	code := strings.ToUpper(strings.TrimSpace(s.Code))
	sc := strings.TrimSpace(s.StatusCode)
	if len(code) == 3 && sc == "" && strings.Trim(code, "0123456789") == "" {
		sc, code = code, "" // currentStatus carries the three-digit code in code
	}
	if typ == "D" {
		if sub, ok := byStatusCode[sc]; ok && tagOf(sub) == waybill.TagDelivered {
			return sub, true
		}
		return "Delivered_001", true
	}
	sub, ok := byStatusCode[sc]
	if !ok {
		sub, ok = byActivityCode[code]
	}
	if typ == "X" && (!ok || (tagOf(sub) != waybill.TagException && tagOf(sub) != waybill.TagAttemptFail)) {
		return "Exception_001", true
	}
	if !ok {
		sub, ok = byType[typ]
	}
	return sub, ok
}

// matchMessage maps a UPS description by its words (carrier.MapStatus's
// keyword rules), for a scan no table knows.
func matchMessage(description string) (string, bool) {
	if _, sub, ok := carrier.MapStatus("", "", description); ok {
		return sub, true
	}
	return "", false
}

// tagOf is the tag a subtag belongs to; "" gives Pending.
func tagOf(subtag string) waybill.Tag {
	if i := strings.IndexByte(subtag, '_'); i > 0 {
		return waybill.Tag(subtag[:i])
	}
	return waybill.TagPending
}
