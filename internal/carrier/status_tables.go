package carrier

// statusTables map each carrier's raw status codes (upper case) to
// AfterShip subtags, from the carriers' tracking API documentation.
var statusTables = map[string]map[string]string{
	// UPS Track API: status.type (D, I, M, X, U, P) and activity status codes.
	"ups": {
		"M": "InfoReceived_001", "MV": "InfoReceived_001", "P": "InTransit_002", "I": "InTransit_001",
		"D": "Delivered_001", "X": "Exception_001", "U": "InTransit_001", "RS": "Exception_010",
		"OR": "InTransit_002", "DP": "InTransit_007", "AR": "InTransit_003", "OT": "OutForDelivery_001",
		"OF": "OutForDelivery_001", "FS": "Delivered_001", "KB": "Delivered_001", "DL": "Delivered_001",
		"ZP": "AvailableForPickup_001", "UPSACCESSPOINT": "AvailableForPickup_001",
	},
	// FedEx Track API: latestStatusDetail.code / scanEvents[].eventType.
	"fedex": {
		"OC": "InfoReceived_001", "PU": "InTransit_002", "PX": "InTransit_002", "IT": "InTransit_001",
		"AR": "InTransit_003", "DP": "InTransit_007", "AF": "InTransit_003", "CC": "InTransit_005",
		"CD": "InTransit_006", "OD": "OutForDelivery_001", "DL": "Delivered_001", "DE": "Exception_001",
		"HL": "AvailableForPickup_001", "HP": "AvailableForPickup_001", "DY": "Exception_005", "DD": "Exception_005",
		"RS": "Exception_010", "RT": "Exception_010", "CA": "Exception_001", "SE": "Exception_001",
		"DF": "InTransit_007",
	},
	// USPS Tracking v3: statusCategory and common eventCodes.
	"usps": {
		"PRE-SHIPMENT": "InfoReceived_001", "ACCEPTED": "InTransit_002", "IN TRANSIT": "InTransit_001",
		"OUT FOR DELIVERY": "OutForDelivery_001", "DELIVERED": "Delivered_001", "ALERT": "Exception_001",
		"AVAILABLE FOR PICKUP": "AvailableForPickup_001", "DELIVERY ATTEMPT": "AttemptFail_001",
		"RETURN TO SENDER": "Exception_010", "MA": "InfoReceived_001", "03": "InTransit_002",
		"10": "InTransit_003", "OF": "OutForDelivery_001", "01": "Delivered_001", "02": "AttemptFail_001",
		"53": "AvailableForPickup_001", "21": "Exception_007", "04": "Exception_003", "09": "Exception_012",
	},
	// DHL Shipment Tracking – Unified: status.statusCode.
	"dhl": {
		"PRE-TRANSIT": "InfoReceived_001", "TRANSIT": "InTransit_001", "DELIVERED": "Delivered_001",
		"FAILURE": "Exception_001", "UNKNOWN": "InTransit_001",
		"PU": "InTransit_002", "PL": "InTransit_007", "DF": "InTransit_007", "AF": "InTransit_003",
		"WC": "OutForDelivery_001", "OK": "Delivered_001", "NH": "AttemptFail_002", "CC": "AttemptFail_003",
		"RT": "Exception_010",
	},
}

func init() {
	// DHL's other products share the unified API's vocabulary.
	for _, slug := range []string{"dhl-ecommerce", "dhl-germany", "deutsch-post", "dhl-parcel-nl", "dhl-parcel-uk"} {
		statusTables[slug] = statusTables["dhl"]
	}
}
