package waybill

// Tag is the main status of a tracking or checkpoint, as AfterShip defines it.
type Tag string

// The tags of the status model.
const (
	TagPending            Tag = "Pending"
	TagInfoReceived       Tag = "InfoReceived"
	TagInTransit          Tag = "InTransit"
	TagOutForDelivery     Tag = "OutForDelivery"
	TagAttemptFail        Tag = "AttemptFail"
	TagDelivered          Tag = "Delivered"
	TagAvailableForPickup Tag = "AvailableForPickup"
	TagException          Tag = "Exception"
	TagExpired            Tag = "Expired"
)

// Tags lists every tag in the order AfterShip documents them.
var Tags = []Tag{TagPending, TagInfoReceived, TagInTransit, TagOutForDelivery, TagAttemptFail,
	TagDelivered, TagAvailableForPickup, TagException, TagExpired}

// Valid reports whether t is one of the documented tags.
func (t Tag) Valid() bool {
	for _, v := range Tags {
		if v == t {
			return true
		}
	}
	return false
}

// Terminal reports whether a tracking with this tag is no longer followed.
func (t Tag) Terminal() bool { return t == TagDelivered || t == TagExpired }

var subtagMessages = map[string]string{
	"Pending_001":            "No information yet",
	"InfoReceived_001":       "Info received",
	"InTransit_001":          "In transit",
	"InTransit_002":          "Acceptance scan",
	"InTransit_003":          "Arrival scan",
	"InTransit_004":          "Arrived at the destination country",
	"InTransit_005":          "Customs clearance completed",
	"InTransit_006":          "Customs clearance started",
	"InTransit_007":          "Departure Scan",
	"InTransit_008":          "Problem resolved",
	"InTransit_009":          "Forwarded to a different delivery address",
	"OutForDelivery_001":     "Out for delivery",
	"OutForDelivery_003":     "Customer contacted",
	"OutForDelivery_004":     "Delivery appointment scheduled",
	"AvailableForPickup_001": "Available for pickup",
	"AttemptFail_001":        "Failed delivery attempt",
	"AttemptFail_002":        "Addressee not available",
	"AttemptFail_003":        "Business closed",
	"Delivered_001":          "Delivered",
	"Delivered_002":          "Picked up by the customer",
	"Delivered_003":          "Signed by customer",
	"Delivered_004":          "Delivered and received cash on delivery",
	"Delivered_005":          "Delivered to neighbour",
	"Exception_001":          "Exception",
	"Exception_002":          "Customer moved",
	"Exception_003":          "Customer refused delivery",
	"Exception_004":          "Delayed (Customs clearance)",
	"Exception_005":          "Delayed (External factors)",
	"Exception_006":          "Held for payment",
	"Exception_007":          "Incorrect Address",
	"Exception_008":          "Pick up missed",
	"Exception_009":          "Rejected by carrier",
	"Exception_010":          "Returning to sender",
	"Exception_011":          "Returned to sender",
	"Exception_012":          "Shipment damage",
	"Exception_013":          "Shipment lost",
	"Expired_001":            "No updates for 30 days",
}

// SubtagMessage returns the human message of a subtag, or "" for an unknown one.
func SubtagMessage(subtag string) string { return subtagMessages[subtag] }

// ValidSubtag reports whether subtag is documented and belongs to tag.
func ValidSubtag(tag Tag, subtag string) bool {
	_, ok := subtagMessages[subtag]
	return ok && len(subtag) > len(tag) && subtag[:len(tag)] == string(tag) && subtag[len(tag)] == '_'
}

// DefaultSubtag returns the generic subtag of a tag (Tag_001).
func DefaultSubtag(t Tag) string { return string(t) + "_001" }
