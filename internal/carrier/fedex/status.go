package fedex

import (
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
)

// byCode maps FedEx's scan codes (eventType), which are also the codes of
// derivedStatusCode and latestStatusDetail. Codes of return-label links
// (RR, RM, RC, RP, LP, RG) are not here: they keep the status before them.
var byCode = map[string]string{
	// Before FedEx has the parcel.
	"OC": "InfoReceived_001", "IN": "InfoReceived_001", "OX": "InfoReceived_001", "EP": "InfoReceived_001",
	// Picked up.
	"PU": "InTransit_002", "PX": "InTransit_002", "AP": "InTransit_002",
	// Arrivals and departures.
	"AR": "InTransit_003", "AF": "InTransit_003", "FD": "InTransit_003", "AA": "InTransit_003",
	"AC": "InTransit_003", "AX": "InTransit_003", "SF": "InTransit_003", "OF": "InTransit_003",
	"DP": "InTransit_007", "LO": "InTransit_007",
	// On the way.
	"IT": "InTransit_001", "IX": "InTransit_001", "AO": "InTransit_001", "CH": "InTransit_001", "DR": "InTransit_001",
	"DS": "InTransit_001", "EA": "InTransit_001", "EO": "InTransit_001", "OW": "InTransit_001", "PF": "InTransit_001",
	"PL": "InTransit_001", "PM": "InTransit_001", "SP": "InTransit_001", "TR": "InTransit_001",
	"PD": "InTransit_001", "RL": "InTransit_001", // pickup delay, running late: still moving
	// Customs.
	"CP": "InTransit_006", "CC": "InTransit_005", "CD": "Exception_004",
	// Last mile.
	"OD": "OutForDelivery_001", "ED": "OutForDelivery_001", "AD": "OutForDelivery_001",
	"HL": "AvailableForPickup_001", "HP": "AvailableForPickup_001",
	"DL": "Delivered_001",
	// Exceptions.
	"DE": "Exception_001", "SE": "Exception_001", "CA": "Exception_001", "RD": "Exception_001",
	"DY": "Exception_005", "DD": "Exception_005",
	"RS": "Exception_010",
}

// subtagOf maps a scan: its eventType, else its derivedStatusCode. A
// delivery exception (DE) whose reason names a failed attempt (customer
// not available, business closed …) is an AttemptFail, and any exception
// whose reason the keyword rules name more precisely (refused, incorrect
// address …) takes that subtag. A scan no table knows keeps prev, the
// status before it (InTransit_001 when there is none).
func subtagOf(e scanEvent, prev string) string {
	code := strings.ToUpper(strings.TrimSpace(e.EventType))
	sub, ok := byCode[code]
	if !ok {
		sub, ok = byCode[strings.ToUpper(strings.TrimSpace(e.DerivedStatusCode))]
	}
	if ok && (code == "DE" || code == "SE") {
		if _, refined, hit := carrier.MapStatus("", "", e.ExceptionDescription); hit {
			if t := tagOf(refined); t == waybill.TagAttemptFail || t == waybill.TagException {
				return refined
			}
		}
	}
	if ok {
		return sub
	}
	if prev != "" {
		return prev
	}
	if _, refined, hit := carrier.MapStatus("", "", e.EventDescription); hit {
		return refined
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
