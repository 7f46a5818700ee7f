package usps

import (
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
)

// byEventCode maps USPS's event codes (Publication 199, Appendix G-4, and
// codes seen in answers: GX, A1, TL).
var byEventCode = map[string]string{
	// Before USPS has the item.
	"MA": "InfoReceived_001", "GX": "InfoReceived_001",
	// Accepted.
	"03": "InTransit_002", "TM": "InTransit_002", "PA": "InTransit_002", "OA": "InTransit_002",
	// Arrivals and processing.
	"10": "InTransit_003", "07": "InTransit_003", "19": "InTransit_003", "41": "InTransit_003",
	"A1": "InTransit_003", "PC": "InTransit_003", "81": "InTransit_003",
	// Departures.
	"EF": "InTransit_007", "SF": "InTransit_007", "82": "InTransit_007",
	// Moving.
	"TL": "InTransit_001", "42": "InTransit_001", "80": "InTransit_001", "08": "InTransit_001",
	"15": "InTransit_001", "71": "InTransit_001",
	"06": "InTransit_009", // forwarded
	// Last mile.
	"OF": "OutForDelivery_001",
	"14": "AvailableForPickup_001", "16": "AvailableForPickup_001",
	"01": "Delivered_001", "17": "Delivered_002", "43": "Delivered_002",
	// Failed attempts.
	"02": "AttemptFail_001", "52": "AttemptFail_001", "53": "AttemptFail_001", "54": "AttemptFail_001",
	"55": "AttemptFail_001", "30": "AttemptFail_001",
	"56": "AttemptFail_002", // no authorized recipient
	"51": "AttemptFail_003", // business closed
	// Exceptions and returns.
	"04": "Exception_003", // refused
	"05": "Exception_007", // undeliverable as addressed
	"09": "Exception_010", "21": "Exception_010", "22": "Exception_010", "23": "Exception_010", "24": "Exception_010",
	"25": "Exception_010", "26": "Exception_010", "27": "Exception_010", "28": "Exception_010", "29": "Exception_010",
	"31": "Exception_010", "44": "Exception_010", // return-to-sender reasons, customer recall
	"11": "Exception_001", // dead letter
	"DX": "Exception_001", // delivery status not updated
}

// subtagOf maps a scan: its event code, else the words of its event type
// (carrier.MapStatus's keywords, which know "Out for Delivery",
// "Delivered, Parcel Locker" …), else prev, the status before it, else
// InTransit_001.
func subtagOf(code, eventType, prev string) string {
	if sub, ok := byEventCode[strings.ToUpper(code)]; ok {
		return sub
	}
	if _, sub, ok := carrier.MapStatus("", "", eventType); ok {
		return sub
	}
	if prev != "" {
		return prev
	}
	return "InTransit_001"
}

// tagOf is the tag a subtag belongs to.
func tagOf(subtag string) waybill.Tag {
	if i := strings.IndexByte(subtag, '_'); i > 0 {
		return waybill.Tag(subtag[:i])
	}
	return waybill.TagInTransit
}
