package waybill

import (
	"strings"
	"time"
)

// Commerce: the orders and shipments a marketplace (Onport) sends. Every
// record belongs to one organization; ids are internal integers, as Onport's
// own ids are, and are only ever looked up together with the organization.

// Channel is a sales channel (an Onport custom channel). Its WebhookHash
// authenticates the asynchronous inbound endpoints and names the channel.
type Channel struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"-"`
	Name           string    `json:"name"`
	WebhookHash    string    `json:"webhook_hash"`
	FulfillmentURL string    `json:"fulfillment_url,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Customer is the buyer of a sale. Within an organization a non-empty email
// names one customer.
type Customer struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"-"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Address is a billing or shipping address of a sale.
type Address struct {
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	Name         string `json:"name,omitempty"`
	AddressLine1 string `json:"line1,omitempty"`
	AddressLine2 string `json:"line2,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	Country      string `json:"country,omitempty"`
	Zip          string `json:"zip,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
}

// FullName is the address's first and last name, or its name.
func (a Address) FullName() string {
	if n := strings.TrimSpace(a.FirstName + " " + a.LastName); n != "" {
		return n
	}
	return a.Name
}

// Sale statuses.
const (
	SaleStatusPending   = "pending"   // stored; not every line is routed to a vendor yet
	SaleStatusDropship  = "dropship"  // routed: one purchase per vendor
	SaleStatusCompleted = "completed" // every purchase is shipped
)

// Sale is a customer order from a channel, unique per channel and ExternalID.
type Sale struct {
	ID            int64          `json:"id"`
	OrgID         int64          `json:"-"`
	ChannelID     int64          `json:"channel_id"`
	CustomerID    int64          `json:"customer_id"`
	ExternalID    string         `json:"external_id"`
	Reference     string         `json:"reference"`
	Status        string         `json:"status"`
	Billing       Address        `json:"billing"`
	Shipping      Address        `json:"shipping"`
	Notes         string         `json:"notes,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	Subtotal      float64        `json:"subtotal"`
	ShippingTotal float64        `json:"shipping_total"`
	Total         float64        `json:"total"`
	Quantity      int            `json:"quantity"`
	ShippingLines []ShippingLine `json:"shipping_lines,omitempty"`
	DropshippedAt time.Time      `json:"dropshipped_at,omitzero"`
	// ReturnStatus is Onport's returnStatus: "" (notReturned),
	// ReturnPartiallyReturned or ReturnReturned, as the returns of the
	// sale are received.
	ReturnStatus string    `json:"return_status,omitempty"`
	DateOrdered  time.Time `json:"date_ordered"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Return statuses of a sale and its lines (Onport's returnStatus); ""
// is notReturned.
const (
	ReturnPartiallyReturned = "partiallyReturned"
	ReturnReturned          = "returned"
)

// ShippingLine is a shipping method charged on a sale.
type ShippingLine struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	ServiceLevel string  `json:"service_level,omitempty"`
	Price        float64 `json:"price"`
}

// Property is a key/value attached to a sale line.
type Property struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SaleItem is one line of a sale, unique per sale and ExternalID.
type SaleItem struct {
	ID                 int64      `json:"id"`
	OrgID              int64      `json:"-"`
	SaleID             int64      `json:"sale_id"`
	ExternalID         string     `json:"external_id"`
	Name               string     `json:"name"`
	Quantity           int        `json:"quantity"`
	Price              float64    `json:"price"`
	Taxable            bool       `json:"taxable"`
	VariantID          int64      `json:"variant_id,omitempty"`
	VariantExternalID  string     `json:"variant_external_id,omitempty"`
	DropshipProviderID int64      `json:"dropship_provider_id,omitempty"` // 0 while unrouted
	Properties         []Property `json:"properties,omitempty"`
	// QuantityReturned is how many of the line its returns brought back;
	// ReturnStatus says the same as the sale's does, for the line.
	QuantityReturned int       `json:"quantity_returned,omitempty"`
	ReturnStatus     string    `json:"return_status,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// DropshipProvider is a vendor that ships part of a sale, unique per
// organization and ExternalID.
type DropshipProvider struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"-"`
	ExternalID string    `json:"external_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
}

// Purchase statuses.
const (
	PurchaseStatusOpen    = "open"
	PurchaseStatusShipped = "shipped"
)

// Purchase is the part of a sale that one vendor ships: there is one per
// vendor per sale.
type Purchase struct {
	ID                 int64     `json:"id"`
	OrgID              int64     `json:"-"`
	SaleID             int64     `json:"sale_id"`
	DropshipProviderID int64     `json:"dropship_provider_id"`
	Reference          string    `json:"reference"`
	Status             string    `json:"status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// PurchaseItem is a sale line as ordered from the purchase's vendor.
type PurchaseItem struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"-"`
	PurchaseID int64     `json:"purchase_id"`
	SaleItemID int64     `json:"sale_item_id"`
	Quantity   int       `json:"quantity"`
	CreatedAt  time.Time `json:"created_at"`
}

// Dropshipment is a parcel a vendor sent for a purchase. A dropshipment with
// a tracking number has a tracking (TrackingID, the tracking's public id).
type Dropshipment struct {
	ID              int64     `json:"id"`
	OrgID           int64     `json:"-"`
	SaleID          int64     `json:"sale_id"`
	PurchaseID      int64     `json:"purchase_id"`
	Reference       string    `json:"reference"`
	TrackingCompany string    `json:"tracking_company"`
	TrackingNumber  string    `json:"tracking_number"`
	TrackingURL     string    `json:"tracking_url,omitempty"`
	ServiceLevel    string    `json:"service_level,omitempty"`
	Slug            string    `json:"slug,omitempty"`
	TrackingID      string    `json:"tracking_id,omitempty"`
	TrackingError   string    `json:"tracking_error,omitempty"` // why no tracking could be made
	AcknowledgedAt  time.Time `json:"acknowledged_at,omitzero"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// DropshipmentItem is the quantity of one purchase line in a dropshipment.
type DropshipmentItem struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"-"`
	DropshipmentID int64     `json:"dropshipment_id"`
	SaleItemID     int64     `json:"sale_item_id"`
	PurchaseItemID int64     `json:"purchase_item_id"`
	Quantity       int       `json:"quantity"`
	CreatedAt      time.Time `json:"created_at"`
}

// Variant is a product variant a channel sells, unique per channel and SKU.
type Variant struct {
	ID                int64       `json:"id"`
	OrgID             int64       `json:"-"`
	ChannelID         int64       `json:"channel_id"`
	ExternalID        string      `json:"external_id"`
	SKU               string      `json:"sku"`
	Name              string      `json:"name"`
	Price             float64     `json:"price"`
	ProductExternalID string      `json:"product_external_id,omitempty"`
	ProductName       string      `json:"product_name,omitempty"`
	VendorSKUs        []VendorSKU `json:"vendor_skus"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
}

// Vendor SKU connection states.
const (
	VendorSKUConnected    = "connected"    // imported; the channel has not confirmed it yet
	VendorSKUAcknowledged = "acknowledged" // the channel confirmed it
	VendorSKUDisconnected = "disconnected" // no longer sold through this vendor
)

// VendorSKU links a variant to a vendor's own SKU.
type VendorSKU struct {
	VendorSKU                  string `json:"vendor_sku"`
	DropshipProviderExternalID string `json:"dropship_provider_external_id"`
	DropshipProviderID         int64  `json:"dropship_provider_id"`
	State                      string `json:"state"`
}

// Inbound message kinds: the four asynchronous endpoints.
const (
	InboundManualSale  = "manual_sale"
	InboundProducts    = "products"
	InboundAcknowledge = "acknowledge_variants"
	InboundDisconnect  = "disconnect_variants"
)

// Inbound priorities: lower is processed first. New data goes ahead of
// updates.
const (
	InboundPriorityNew    = 1
	InboundPriorityUpdate = 2
)

// Inbound message statuses.
const (
	InboundPending = "pending"
	InboundDone    = "done"
	InboundFailed  = "failed"
)

// InboundMessage is one accepted asynchronous request: stored before it is
// acknowledged, then processed exactly once. Its outcome is the API log.
type InboundMessage struct {
	ID          int64          `json:"id"`
	OrgID       int64          `json:"-"`
	ChannelID   int64          `json:"channel_id"`
	Kind        string         `json:"kind"`
	Priority    int            `json:"priority"`
	ExternalID  string         `json:"external_id,omitempty"`
	Body        []byte         `json:"-"`
	ReceivedAt  time.Time      `json:"received_at"`
	Status      string         `json:"status"`
	Errors      []string       `json:"errors,omitempty"`
	Result      *InboundResult `json:"result,omitempty"`
	ProcessedAt time.Time      `json:"processed_at,omitzero"`
}

// InboundResult names what processing a message created or changed.
type InboundResult struct {
	SaleID      int64   `json:"sale_id,omitempty"`
	Created     bool    `json:"created,omitempty"`
	CustomerID  int64   `json:"customer_id,omitempty"`
	SaleItemIDs []int64 `json:"sale_item_ids,omitempty"`
	PurchaseIDs []int64 `json:"purchase_ids,omitempty"`
	VariantIDs  []int64 `json:"variant_ids,omitempty"`
	Updated     int     `json:"updated,omitempty"`
}

// Commerce event types, delivered through the same webhook machinery as
// tracking events.
const (
	// EventSaleDropship announces a complete sale: stored, with its lines,
	// and routed to its vendors (Onport's "dropship" action).
	EventSaleDropship = "sale.dropship"
	// EventDropshipmentAcknowledged announces a shipment once the channel
	// has acknowledged it.
	EventDropshipmentAcknowledged = "dropshipment.acknowledged"
	// EventFulfillment carries the channel's fulfillment webhook: the
	// bundled dropshipment, its items and its sale, sent when a shipment is made.
	EventFulfillment = "dropshipment.fulfillment"
)

// CommerceSnapshot is the state of a sale or a shipment when an event about
// it happened; webhook renderers turn it into the wire payload. Fields that
// do not apply are nil.
type CommerceSnapshot struct {
	Channel           *Channel           `json:"channel,omitempty"`
	Customer          *Customer          `json:"customer,omitempty"`
	Sale              *Sale              `json:"sale,omitempty"`
	SaleItems         []SaleItem         `json:"sale_items,omitempty"`
	Purchases         []Purchase         `json:"purchases,omitempty"`
	PurchaseItems     []PurchaseItem     `json:"purchase_items,omitempty"`
	Providers         []DropshipProvider `json:"dropship_providers,omitempty"`
	Dropshipment      *Dropshipment      `json:"dropshipment,omitempty"`
	DropshipmentItems []DropshipmentItem `json:"dropshipment_items,omitempty"`
}
