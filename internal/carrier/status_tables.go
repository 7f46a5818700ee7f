package carrier

// statusTables map each carrier's raw status codes to AfterShip subtags.
// Keys are in the form normalizeRaw gives (upper case, single spaces). A
// connector passes whichever code is the most specific it has for a scan
// (an activity code before a status type); both forms are in one table
// because the carriers' vocabularies do not collide within a carrier.
var statusTables = map[string]map[string]string{
	// UPS Track API. status.type: M manifest (label created), MV manifest
	// voided, P pickup, I in progress, O out for delivery, D delivered, X
	// exception, RS returned to shipper, U update. status.code: two-letter
	// activity codes.
	"ups": {
		"M": "InfoReceived_001", "MV": "Exception_001", "MP": "InfoReceived_001",
		"P": "InTransit_002", "I": "InTransit_001", "U": "InTransit_001",
		"O": "OutForDelivery_001", "D": "Delivered_001", "X": "Exception_001", "RS": "Exception_010",
		"OR": "InTransit_002", // origin scan
		"DP": "InTransit_007", // departure scan
		"AR": "InTransit_003", // arrival scan
		"IP": "InTransit_003", // processing at a UPS facility
		"OT": "OutForDelivery_001", "OF": "OutForDelivery_001", "OD": "OutForDelivery_001",
		"FS": "Delivered_001", "KB": "Delivered_001", "KM": "Delivered_001", "DL": "Delivered_001",
		"ZP": "AvailableForPickup_001", "UPS ACCESS POINT": "AvailableForPickup_001",
		"48": "AttemptFail_001", // delivery attempted, notice left
	},
	// FedEx Track API: latestStatusDetail.code and scanEvents[].derivedStatusCode.
	"fedex": {
		"OC": "InfoReceived_001", // label created, shipment information sent to FedEx
		"PU": "InTransit_002", "PX": "InTransit_002",
		"IT": "InTransit_001", "IX": "InTransit_001",
		"AR": "InTransit_003", "AF": "InTransit_003",
		"DP": "InTransit_007", "DF": "InTransit_007",
		"CP": "InTransit_006", // clearance in progress
		"CC": "InTransit_005", // cleared customs
		"CD": "Exception_004", // clearance delay
		"OD": "OutForDelivery_001",
		"DL": "Delivered_001",
		"DE": "Exception_001", // delivery exception
		"SE": "Exception_001", // shipment exception
		"HL": "AvailableForPickup_001", "HP": "AvailableForPickup_001",
		"DY": "Exception_005", "DD": "Exception_005",
		"RS": "Exception_010", "RT": "Exception_010",
		"CA": "Exception_001", // shipment cancelled
	},
	// USPS Tracking v3: statusCategory and trackingEvents[].eventCode.
	"usps": {
		"PRE-SHIPMENT": "InfoReceived_001", "ACCEPTED": "InTransit_002", "IN TRANSIT": "InTransit_001",
		"OUT FOR DELIVERY": "OutForDelivery_001", "DELIVERED": "Delivered_001", "ALERT": "Exception_001",
		"AVAILABLE FOR PICKUP": "AvailableForPickup_001", "DELIVERY ATTEMPT": "AttemptFail_001",
		"RETURN TO SENDER": "Exception_010",
		"MA":               "InfoReceived_001", // electronic shipping info received
		"GX":               "Exception_001",    // shipping label cancelled
		"03":               "InTransit_002",    // accepted at USPS origin facility
		"OA":               "InTransit_002",    // accepted at USPS origin facility
		"10":               "InTransit_003",    // processed through facility
		"07":               "InTransit_003",    // arrival at unit
		"06":               "InTransit_009",    // forwarded
		"OF":               "OutForDelivery_001",
		"01":               "Delivered_001",
		"02":               "AttemptFail_001", // notice left
		"04":               "Exception_003",   // refused
		"05":               "Exception_007",   // undeliverable as addressed
		"09":               "Exception_010",   // return to sender
		"14":               "AvailableForPickup_001",
		"16":               "AvailableForPickup_001",
		"17":               "Delivered_002", // picked up by agent
		"21":               "Exception_007", // no such number
		"22":               "Exception_007", // insufficient address
		"23":               "Exception_002", // moved, left no address
		"51":               "AttemptFail_003",
	},
	// DHL Shipment Tracking – Unified: status.statusCode, plus the DHL
	// Express event codes that the unified API passes through.
	"dhl": {
		"PRE-TRANSIT": "InfoReceived_001", "TRANSIT": "InTransit_001", "DELIVERED": "Delivered_001",
		"FAILURE": "Exception_001", "UNKNOWN": "InTransit_001",
		"SA": "InTransit_002", "PU": "InTransit_002",
		"PL": "InTransit_003", "AF": "InTransit_003", "AR": "InTransit_003",
		"DF": "InTransit_007",
		"IC": "InTransit_006", "CR": "InTransit_005", "CD": "Exception_004",
		"TP": "InTransit_009",
		"WC": "OutForDelivery_001", "AD": "OutForDelivery_004",
		"OK": "Delivered_001",
		"CC": "AvailableForPickup_001", // awaiting collection by the recipient
		"NH": "AttemptFail_002", "CA": "AttemptFail_003",
		"RD": "Exception_003", "BA": "Exception_007", "HP": "Exception_006", "OH": "Exception_001",
		"RT": "Exception_010",
	},
}

func init() {
	// DHL's other products answer through the same unified API.
	for _, slug := range []string{"dhl-ecommerce", "dhl-germany", "deutsch-post", "dhl-parcel-nl", "dhl-parcel-uk"} {
		statusTables[slug] = statusTables["dhl"]
	}
}
