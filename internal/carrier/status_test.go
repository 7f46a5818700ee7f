package carrier

import (
	"testing"

	"github.com/waybillhq/waybill"
)

func TestMapStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		slug, raw, message string
		want               string
		wantOK             bool
	}{
		// Already AfterShip's.
		{"anything", "Delivered", "", "Delivered_001", true},
		{"anything", "Exception_011", "", "Exception_011", true},
		{"ups", " InTransit_004 ", "", "InTransit_004", true},
		{"ups", "Delivered_099", "Delivered", "Delivered_001", true}, // unknown subtag: keyword on the message
		// UPS.
		{"ups", "M", "Shipper created a label", "InfoReceived_001", true},
		{"ups", "I", "", "InTransit_001", true},
		{"ups", "D", "", "Delivered_001", true},
		{"ups", "X", "", "Exception_001", true},
		{"ups", "U", "", "InTransit_001", true},
		{"ups", "OR", "Origin Scan", "InTransit_002", true},
		{"ups", "DP", "Departure Scan", "InTransit_007", true},
		{"ups", "AR", "Arrival Scan", "InTransit_003", true},
		{"ups", "OT", "Out For Delivery Today", "OutForDelivery_001", true},
		{"ups", "of", "", "OutForDelivery_001", true},
		{"ups", "OD", "", "OutForDelivery_001", true},
		{"ups", "KB", "DELIVERED", "Delivered_001", true},
		{"ups", "RS", "", "Exception_010", true},
		// FedEx.
		{"fedex", "OC", "Shipment information sent to FedEx", "InfoReceived_001", true},
		{"fedex", "PU", "Picked up", "InTransit_002", true},
		{"fedex", "IT", "", "InTransit_001", true},
		{"fedex", "AR", "", "InTransit_003", true},
		{"fedex", "DP", "", "InTransit_007", true},
		{"fedex", "AF", "", "InTransit_003", true},
		{"fedex", "OD", "On FedEx vehicle for delivery", "OutForDelivery_001", true},
		{"fedex", "DL", "Delivered", "Delivered_001", true},
		{"fedex", "DE", "", "Exception_001", true},
		{"fedex", "HL", "", "AvailableForPickup_001", true},
		{"fedex", "HP", "", "AvailableForPickup_001", true},
		{"fedex", "DY", "", "Exception_005", true},
		{"fedex", "DD", "", "Exception_005", true},
		{"fedex", "RS", "", "Exception_010", true},
		{"fedex", "RT", "", "Exception_010", true},
		{"fedex", "CA", "", "Exception_001", true},
		{"fedex", "CD", "", "Exception_004", true},
		// USPS.
		{"usps", "Pre-Shipment", "", "InfoReceived_001", true},
		{"usps", "Accepted", "", "InTransit_002", true},
		{"usps", "In Transit", "", "InTransit_001", true},
		{"usps", "OUT_FOR_DELIVERY", "", "OutForDelivery_001", true},
		{"usps", "Delivery Attempt", "", "AttemptFail_001", true},
		{"usps", "Available for Pickup", "", "AvailableForPickup_001", true},
		{"usps", "Alert", "", "Exception_001", true},
		{"usps", "01", "Delivered, In/At Mailbox", "Delivered_001", true},
		{"usps", "02", "Notice Left", "AttemptFail_001", true},
		{"usps", "MA", "", "InfoReceived_001", true},
		{"usps", "04", "", "Exception_003", true},
		// DHL.
		{"dhl", "pre-transit", "", "InfoReceived_001", true},
		{"dhl", "transit", "", "InTransit_001", true},
		{"dhl", "delivered", "", "Delivered_001", true},
		{"dhl", "failure", "", "Exception_001", true},
		{"dhl", "unknown", "", "InTransit_001", true},
		{"dhl", "WC", "With delivery courier", "OutForDelivery_001", true},
		{"dhl", "NH", "", "AttemptFail_002", true},
		{"dhl", "CC", "", "AvailableForPickup_001", true},
		{"dhl-ecommerce", "delivered", "", "Delivered_001", true},
		// Table miss: keywords on the message, then on the raw tag.
		{"ups", "ZZ", "DELIVERED", "Delivered_001", true},
		{"acme", "", "Delivered", "Delivered_001", true},
		{"acme", "", "Your parcel is out for delivery", "OutForDelivery_001", true},
		{"acme", "", "Out for delivery, second attempt", "OutForDelivery_001", true},
		{"acme", "", "Held by customs", "Exception_004", true},
		{"acme", "", "Arrived at customs", "InTransit_006", true},
		{"acme", "", "Delivery attempt failed, card left", "AttemptFail_001", true},
		{"acme", "", "Returned to sender", "Exception_011", true},
		{"acme", "", "Return to sender: refused", "Exception_010", true},
		{"acme", "", "Shipment held at depot", "Exception_001", true},
		{"acme", "", "Picked up by driver", "InTransit_002", true},
		{"acme", "", "Label created", "InfoReceived_001", true},
		{"acme", "", "Parcel not delivered: no access", "AttemptFail_001", true},
		{"acme", "", "Delivered, signed by: J. SMITH", "Delivered_003", true},
		{"acme", "", "Picked up by the customer", "Delivered_002", true},
		{"acme", "", "Available for pickup at the post office", "AvailableForPickup_001", true},
		{"acme", "out for delivery", "", "OutForDelivery_001", true},
		// Whole words only.
		{"acme", "", "Arrived at Lostock Hall", "InTransit_003", true},
		// Nothing matched.
		{"acme", "", "", "InTransit_001", false},
		{"acme", "XQ", "Scan 17", "InTransit_001", false},
	} {
		tag, subtag, ok := MapStatus(tt.slug, tt.raw, tt.message)
		if subtag != tt.want || ok != tt.wantOK || string(tag) != string(tagOf(tt.want)) {
			t.Errorf("MapStatus(%q, %q, %q) = %s, %s, %v; want %s, %v", tt.slug, tt.raw, tt.message, tag, subtag, ok, tt.want, tt.wantOK)
		}
		if !waybill.ValidSubtag(tag, subtag) {
			t.Errorf("MapStatus(%q, %q, %q): %s does not belong to %s", tt.slug, tt.raw, tt.message, subtag, tag)
		}
	}
}

// TestStatusTablesValid checks that every table entry and keyword rule
// names a documented subtag.
func TestStatusTablesValid(t *testing.T) {
	t.Parallel()
	for slug, table := range statusTables {
		for raw, sub := range table {
			if !waybill.ValidSubtag(tagOf(sub), sub) {
				t.Errorf("statusTables[%q][%q] = %q, not a subtag", slug, raw, sub)
			}
			if normalizeRaw(raw) != raw {
				t.Errorf("statusTables[%q]: key %q is not normalized", slug, raw)
			}
		}
	}
	for _, r := range keywordRules {
		if !waybill.ValidSubtag(tagOf(r.subtag), r.subtag) {
			t.Errorf("keyword %q → %q, not a subtag", r.phrase, r.subtag)
		}
	}
}

func FuzzMapStatus(f *testing.F) {
	for _, s := range []string{"", "D", "Delivered", "Exception_", "_001", "out for delivery", "ñ lost", "lost\xff"} {
		f.Add("ups", s, s)
	}
	f.Fuzz(func(t *testing.T, slug, raw, message string) {
		tag, subtag, _ := MapStatus(slug, raw, message)
		if !waybill.ValidSubtag(tag, subtag) {
			t.Fatalf("MapStatus(%q, %q, %q) = %q, %q: subtag does not belong to tag", slug, raw, message, tag, subtag)
		}
	})
}

func TestTagCheckpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		in         waybill.Checkpoint
		wantTag    waybill.Tag
		wantSubtag string
	}{
		{"raw status from the table", waybill.Checkpoint{RawTag: "OD"}, waybill.TagOutForDelivery, "OutForDelivery_001"},
		{"message keywords", waybill.Checkpoint{Message: "Returned to sender"}, waybill.TagException, "Exception_011"},
		{"subtag only", waybill.Checkpoint{Subtag: "Delivered_003"}, waybill.TagDelivered, "Delivered_003"},
		{"tag only", waybill.Checkpoint{Tag: waybill.TagAttemptFail}, waybill.TagAttemptFail, "AttemptFail_001"},
		{"both kept", waybill.Checkpoint{Tag: waybill.TagInTransit, Subtag: "InTransit_003", RawTag: "OD"}, waybill.TagInTransit, "InTransit_003"},
		{"a subtag without a tag part", waybill.Checkpoint{Subtag: "Delivered"}, "", "Delivered"},
	} {
		got := TagCheckpoint("ups", tt.in)
		if got.Tag != tt.wantTag || got.Subtag != tt.wantSubtag {
			t.Errorf("%s: TagCheckpoint = %s/%s, want %s/%s", tt.name, got.Tag, got.Subtag, tt.wantTag, tt.wantSubtag)
		}
	}
}
