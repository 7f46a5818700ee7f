package waybill

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReturnStatus is where a return stands. A return starts submitted (or
// approved, when the organization approves automatically) and moves only
// along the transitions ReturnAction allows.
type ReturnStatus string

// Return statuses.
const (
	ReturnSubmitted ReturnStatus = "submitted"
	ReturnApproved  ReturnStatus = "approved"
	ReturnRejected  ReturnStatus = "rejected"
	ReturnShipped   ReturnStatus = "shipped"  // the return parcel's first scan
	ReturnReceived  ReturnStatus = "received" // the merchant has it (or its tracking says delivered)
	ReturnResolved  ReturnStatus = "resolved" // refunded, credited or exchanged: done
	ReturnExpired   ReturnStatus = "expired"  // approved but not shipped in time
)

// ReturnStatuses lists every status, in lifecycle order.
var ReturnStatuses = []ReturnStatus{ReturnSubmitted, ReturnApproved, ReturnRejected, ReturnShipped, ReturnReceived, ReturnResolved, ReturnExpired}

// ReturnAction is a change of a return's status.
type ReturnAction string

// Return actions: the merchant's (approve, reject, receive, resolve) and
// the system's (ship, deliver, expire).
const (
	ActionApprove ReturnAction = "approve"
	ActionReject  ReturnAction = "reject"
	ActionShip    ReturnAction = "ship"    // the return parcel was scanned
	ActionReceive ReturnAction = "receive" // the merchant received items
	ActionDeliver ReturnAction = "deliver" // the return parcel was delivered
	ActionResolve ReturnAction = "resolve"
	ActionExpire  ReturnAction = "expire"
)

// returnTransitions is the state machine: for each action, the statuses it
// may start from and the status it leads to.
var returnTransitions = map[ReturnAction]struct {
	from []ReturnStatus
	to   ReturnStatus
}{
	ActionApprove: {[]ReturnStatus{ReturnSubmitted}, ReturnApproved},
	ActionReject:  {[]ReturnStatus{ReturnSubmitted}, ReturnRejected},
	ActionShip:    {[]ReturnStatus{ReturnApproved}, ReturnShipped},
	ActionReceive: {[]ReturnStatus{ReturnApproved, ReturnShipped, ReturnReceived}, ReturnReceived},
	ActionDeliver: {[]ReturnStatus{ReturnApproved, ReturnShipped}, ReturnReceived},
	ActionResolve: {[]ReturnStatus{ReturnReceived}, ReturnResolved},
	ActionExpire:  {[]ReturnStatus{ReturnApproved}, ReturnExpired},
}

// Next returns the status action leads to from status, or ECONFLICT
// (ReasonReturnStatus) when the action is not allowed in that status. It is
// pure: a refused action changes nothing.
func (status ReturnStatus) Next(action ReturnAction) (ReturnStatus, error) {
	tr, ok := returnTransitions[action]
	if !ok {
		return status, Invalid(ReasonFieldInvalid, "Unknown return action %q.", action)
	}
	if !slices.Contains(tr.from, status) {
		return status, &Error{Code: ECONFLICT, Reason: ReasonReturnStatus,
			Message: fmt.Sprintf("A return that is %s cannot be %s; allowed from: %s.", status, pastTense(action), joinStatuses(tr.from))}
	}
	return tr.to, nil
}

// ReasonReturnStatus refines ECONFLICT: the action is not allowed in the
// return's current status.
const ReasonReturnStatus = "return_status"

// ReasonOverQuantity refines ECONFLICT: the order's returns together would
// exceed a line's quantity.
const ReasonOverQuantity = "over_quantity"

// ReasonNotReturnable refines EINVALID: the order or item may not be
// returned under the organization's rules.
const ReasonNotReturnable = "not_returnable"

func pastTense(a ReturnAction) string {
	switch a {
	case ActionApprove:
		return "approved"
	case ActionReject:
		return "rejected"
	case ActionShip:
		return "shipped"
	case ActionReceive:
		return "received"
	case ActionDeliver:
		return "delivered"
	case ActionResolve:
		return "resolved"
	case ActionExpire:
		return "expired"
	}
	return string(a)
}

func joinStatuses(ss []ReturnStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// Terminal reports whether no action can move the return any more.
func (status ReturnStatus) Terminal() bool {
	return status == ReturnRejected || status == ReturnResolved || status == ReturnExpired
}

// Holds reports whether a return in this status keeps its claim on the
// order's quantities: everything but rejected and expired.
func (status ReturnStatus) Holds() bool {
	return status != ReturnRejected && status != ReturnExpired
}

// Resolution is what the shopper asks for in exchange for an item.
type Resolution string

// Resolutions an organization may offer.
const (
	ResolutionRefund      Resolution = "refund"
	ResolutionStoreCredit Resolution = "store_credit"
	ResolutionExchange    Resolution = "exchange"
)

// Resolutions lists every resolution.
var Resolutions = []Resolution{ResolutionRefund, ResolutionStoreCredit, ResolutionExchange}

// Return is a shopper's request to send items of an order back.
type Return struct {
	ID    string // public, random
	OrgID int64
	// RMA is the return's number for people (RMA-XXXX-XXXX), unique in
	// the organization.
	RMA    string
	Status ReturnStatus
	// OrderKey names the order for quantity accounting (sale:…, order:…,
	// number:… or tracking:…); OrderNumber is the number shoppers know.
	OrderKey    string
	OrderNumber string
	OrderID     string // the order id of the trackings or the sale's external id
	SaleID      int64  // the Onport sale, 0 when none
	// TrackingID is the outbound tracking the return started from, when
	// the shopper came from a shipment's page.
	TrackingID string
	// PageToken names the shopper's page of the return (/r/{token}).
	PageToken string
	Email     string // where the shopper's emails go ("" for none)
	Language  string // the shopper's page language
	Lines     []ReturnLine
	// RejectReason is shown to the shopper.
	RejectReason string
	// LabelURL is the return label the merchant offers, if any.
	LabelURL string
	// The return parcel: its tracking (shipment_direction "return").
	ReturnTrackingID     string
	ReturnTrackingNumber string
	ReturnSlug           string
	Note                 string // the merchant's note on resolving
	CreatedAt            time.Time
	UpdatedAt            time.Time
	ApprovedAt           time.Time
	ShippedAt            time.Time
	ReceivedAt           time.Time
	ResolvedAt           time.Time
	ExpiresAt            time.Time // an approved return expires when not shipped by then
}

// ReturnLine is one item of a return.
type ReturnLine struct {
	// ID is the line's id within the order: the sale line's external id,
	// or the tracking id when a whole shipment is returned.
	ID         string
	SaleItemID int64 // the Onport sale line, 0 when none
	Name       string
	SKU        string
	Quantity   int
	Received   int // how many the merchant has received
	Reason     string
	Comment    string
	Resolution Resolution
}

// TotalQuantity is the number of items of the return.
func (r Return) TotalQuantity() int {
	n := 0
	for _, l := range r.Lines {
		n += l.Quantity
	}
	return n
}

// ReturnReason is one reason a shopper may give.
type ReturnReason struct {
	Code  string // stable, e.g. "too_small"
	Label string // in the organization's default language (English when unset)
	// Translations of Label by page language (de, fr, es).
	Translations    map[string]string
	CommentRequired bool
}

// LabelIn returns the reason's label in lang, or the default label.
func (r ReturnReason) LabelIn(lang string) string {
	if s := r.Translations[lang]; s != "" {
		return s
	}
	return r.Label
}

// ReturnSettings are an organization's return rules.
type ReturnSettings struct {
	Enabled bool
	// WindowDays is how many days after delivery a return may start.
	WindowDays int
	// BeforeDelivery lets a return start while the order is not delivered.
	BeforeDelivery bool
	// ShipWithinDays is how long an approved return has to be shipped
	// before it expires.
	ShipWithinDays int
	Reasons        []ReturnReason
	Resolutions    []Resolution
	AutoApprove    bool
	// NonReturnable are SKUs (or, for lines without one, item names) that
	// are never returnable; compared without regard to case.
	NonReturnable []string
	ReturnAddress string // shown to the shopper once the return is approved
	UpdatedAt     time.Time
}

// DefaultReturnSettings are an organization's rules until it sets its own.
func DefaultReturnSettings() ReturnSettings {
	return ReturnSettings{Enabled: true, WindowDays: 30, ShipWithinDays: 14,
		Reasons: []ReturnReason{
			{Code: "too_small", Label: "Too small", Translations: map[string]string{"de": "Zu klein", "fr": "Trop petit", "es": "Demasiado pequeño"}},
			{Code: "too_large", Label: "Too large", Translations: map[string]string{"de": "Zu groß", "fr": "Trop grand", "es": "Demasiado grande"}},
			{Code: "damaged", Label: "Arrived damaged", Translations: map[string]string{"de": "Beschädigt angekommen", "fr": "Arrivé endommagé", "es": "Llegó dañado"}, CommentRequired: true},
			{Code: "not_as_described", Label: "Not as described", Translations: map[string]string{"de": "Nicht wie beschrieben", "fr": "Non conforme à la description", "es": "No es como se describe"}},
			{Code: "changed_mind", Label: "Changed my mind", Translations: map[string]string{"de": "Nicht mehr gewünscht", "fr": "J'ai changé d'avis", "es": "Cambié de opinión"}},
			{Code: "other", Label: "Other", Translations: map[string]string{"de": "Anderer Grund", "fr": "Autre", "es": "Otro"}, CommentRequired: true},
		},
		Resolutions: []Resolution{ResolutionRefund, ResolutionStoreCredit, ResolutionExchange},
	}
}

// Reason returns the reason with that code.
func (s ReturnSettings) Reason(code string) (ReturnReason, bool) {
	for _, r := range s.Reasons {
		if r.Code == code {
			return r, true
		}
	}
	return ReturnReason{}, false
}

// Returnable reports whether an item with that SKU and name may be
// returned under the rules.
func (s ReturnSettings) Returnable(sku, name string) bool {
	for _, n := range s.NonReturnable {
		if (sku != "" && strings.EqualFold(n, sku)) || (sku == "" && strings.EqualFold(n, name)) {
			return false
		}
	}
	return true
}

// Limits of return settings and requests.
const (
	MaxReturnReasons       = 30
	MaxNonReturnable       = 500
	MaxReturnWindowDays    = 3650
	MaxReturnCommentLen    = 1000
	MaxReturnAddressLen    = 1000
	MaxReturnLines         = 100
	MaxReturnQuantity      = 10000
	MaxReturnRejectReason  = 1000
	maxReasonCodeLen       = 64
	maxReasonLabelLen      = 200
	defaultReturnLanguages = "de, fr, es"
)

// Validate checks the rules: every field within its limits and clean,
// reason codes unique, resolutions known and at least one offered.
func (s ReturnSettings) Validate() error {
	if s.WindowDays < 0 || s.WindowDays > MaxReturnWindowDays {
		return fieldInvalid("window_days must be from 0 to %d.", MaxReturnWindowDays)
	}
	if s.ShipWithinDays < 1 || s.ShipWithinDays > MaxReturnWindowDays {
		return fieldInvalid("ship_within_days must be from 1 to %d.", MaxReturnWindowDays)
	}
	if len(s.Reasons) == 0 || len(s.Reasons) > MaxReturnReasons {
		return fieldInvalid("reasons must list from 1 to %d reasons.", MaxReturnReasons)
	}
	seen := map[string]bool{}
	for i, r := range s.Reasons {
		if r.Code == "" || !CleanLine(r.Code, maxReasonCodeLen) || strings.ContainsAny(r.Code, " \t") {
			return fieldInvalid("reasons[%d].code must be 1 to %d characters without spaces.", i, maxReasonCodeLen)
		}
		if seen[r.Code] {
			return fieldInvalid("reasons[%d].code %q appears twice.", i, r.Code)
		}
		seen[r.Code] = true
		if strings.TrimSpace(r.Label) == "" || !CleanLine(r.Label, maxReasonLabelLen) {
			return fieldInvalid("reasons[%d].label must be 1 to %d characters on one line.", i, maxReasonLabelLen)
		}
		for lang, label := range r.Translations {
			if !slices.Contains(PageLanguages, lang) {
				return fieldInvalid("reasons[%d].translations: %q is not a page language (en, %s).", i, lang, defaultReturnLanguages)
			}
			if !CleanLine(label, maxReasonLabelLen) {
				return fieldInvalid("reasons[%d].translations.%s must be at most %d characters on one line.", i, lang, maxReasonLabelLen)
			}
		}
	}
	if len(s.Resolutions) == 0 {
		return fieldInvalid("resolutions must offer at least one of refund, store_credit, exchange.")
	}
	for _, r := range s.Resolutions {
		if !slices.Contains(Resolutions, r) {
			return fieldInvalid("resolutions: %q is not one of refund, store_credit, exchange.", r)
		}
	}
	if len(s.NonReturnable) > MaxNonReturnable {
		return fieldInvalid("non_returnable lists at most %d items.", MaxNonReturnable)
	}
	for i, n := range s.NonReturnable {
		if strings.TrimSpace(n) == "" || !CleanLine(n, MaxTextLen) {
			return fieldInvalid("non_returnable[%d] must be 1 to %d characters on one line.", i, MaxTextLen)
		}
	}
	if len(s.ReturnAddress) > MaxReturnAddressLen || !CleanText(s.ReturnAddress) {
		return fieldInvalid("return_address must be at most %d characters of text.", MaxReturnAddressLen)
	}
	return nil
}

// ReturnSettingsPatch changes some rules; nil fields stay as they are.
type ReturnSettingsPatch struct {
	Enabled        *bool
	WindowDays     *int
	BeforeDelivery *bool
	ShipWithinDays *int
	Reasons        *[]ReturnReason
	Resolutions    *[]Resolution
	AutoApprove    *bool
	NonReturnable  *[]string
	ReturnAddress  *string
}

// Apply returns s with the patch's fields set.
func (s ReturnSettings) Apply(p ReturnSettingsPatch) ReturnSettings {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.Enabled, p.Enabled)
	set(&s.BeforeDelivery, p.BeforeDelivery)
	set(&s.AutoApprove, p.AutoApprove)
	if p.WindowDays != nil {
		s.WindowDays = *p.WindowDays
	}
	if p.ShipWithinDays != nil {
		s.ShipWithinDays = *p.ShipWithinDays
	}
	if p.Reasons != nil {
		s.Reasons = slices.Clone(*p.Reasons)
	}
	if p.Resolutions != nil {
		s.Resolutions = slices.Clone(*p.Resolutions)
	}
	if p.NonReturnable != nil {
		s.NonReturnable = slices.Clone(*p.NonReturnable)
	}
	if p.ReturnAddress != nil {
		s.ReturnAddress = *p.ReturnAddress
	}
	return s
}

// ReturnFilter narrows a list of returns; zero fields do not.
type ReturnFilter struct {
	Status      ReturnStatus
	Since       time.Time // created at or after
	OrderNumber string
	Limit       int // 100 when zero; at most 1000
}

// Validate checks the filter and sets the default limit.
func (f *ReturnFilter) Validate() error {
	if f.Status != "" && !slices.Contains(ReturnStatuses, f.Status) {
		return fieldInvalid("status must be one of submitted, approved, rejected, shipped, received, resolved, expired.")
	}
	if !CleanLine(f.OrderNumber, MaxTextLen) {
		return fieldInvalid("order_number must be at most %d characters on one line.", MaxTextLen)
	}
	if f.Limit < 0 || f.Limit > 1000 {
		return fieldInvalid("limit must be from 1 to 1000.")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	return nil
}

// Return event types: one per status a return reaches.
const (
	EventReturnSubmitted = "return.submitted"
	EventReturnApproved  = "return.approved"
	EventReturnRejected  = "return.rejected"
	EventReturnShipped   = "return.shipped"
	EventReturnReceived  = "return.received"
	EventReturnResolved  = "return.resolved"
	EventReturnExpired   = "return.expired"
)

// ReturnEvents lists the return event types.
var ReturnEvents = []string{EventReturnSubmitted, EventReturnApproved, EventReturnRejected, EventReturnShipped,
	EventReturnReceived, EventReturnResolved, EventReturnExpired}

// ReturnEvent is the event type of reaching status.
func ReturnEvent(status ReturnStatus) string { return "return." + string(status) }
