package carrier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
)

// FetchRequest asks a carrier about one parcel.
type FetchRequest struct {
	Slug           string
	TrackingNumber string // normalized: upper case, no spaces or dashes
	CourierFields  waybill.CourierFields
	Credentials    map[string]string // from the organization's courier connection; nil for none
	CreatedAt      time.Time         // when Waybill started following the parcel
}

// FetchResult is what a carrier said about a parcel.
type FetchResult struct {
	// Checkpoints are every scan the carrier knows, with tag and subtag set
	// (MapStatus); the core ignores the ones already stored. CreatedAt is
	// left zero: the core stamps the time it stores a new one.
	Checkpoints []waybill.Checkpoint
	// ExpectedDelivery is the carrier's estimate (ISO 8601), "" for none.
	// When the carrier gives a window rather than a day, ExpectedDelivery
	// is its latest end and ExpectedDeliveryMin/Max are its bounds.
	ExpectedDelivery    string
	ExpectedDeliveryMin string
	ExpectedDeliveryMax string
	// PickupDate and DeliveryDate are the carrier's own dates (ISO 8601,
	// with offset when it gives one), "" when it gives none; the core
	// otherwise derives them from the checkpoints.
	PickupDate   string
	DeliveryDate string
	// ProofOfDelivery lists what the carrier offers as proof (URLs of a
	// signature or photo, or its document ids), nil for none.
	ProofOfDelivery []string
	// SignedBy is the recipient's name when the carrier reports it in a
	// field rather than in a checkpoint message.
	SignedBy string
	// Expired is true when the carrier says it will never have news.
	Expired bool
}

// News is what the core takes from a fetch (waybill.Tracking.Advance).
func (r FetchResult) News() waybill.News {
	return waybill.News{Checkpoints: r.Checkpoints, ExpectedDelivery: r.ExpectedDelivery,
		ExpectedDeliveryMin: r.ExpectedDeliveryMin, ExpectedDeliveryMax: r.ExpectedDeliveryMax,
		PickupDate: r.PickupDate, DeliveryDate: r.DeliveryDate, ProofOfDelivery: r.ProofOfDelivery,
		SignedBy: r.SignedBy, Expired: r.Expired}
}

// Connector is a carrier integration.
//
// Fetch returns every checkpoint the carrier knows, or an error:
// ErrNotFound (wrapped or not) when the carrier does not know the number
// yet, which the poller treats as "no news, poll again later"; a
// *TemporaryError for a failure worth retrying soon (rate limit, carrier
// 5xx, timeout), which the poller retries with backoff, not before its
// RetryAfter; any other error for a failure that retrying will not fix
// (bad credentials, a response Waybill cannot read). Fetch must stop when
// ctx is done and must be safe for concurrent use.
type Connector interface {
	Fetch(ctx context.Context, req FetchRequest) (FetchResult, error)
}

// BatchConnector is a Connector whose carrier answers several numbers in
// one call (FedEx up to 30, USPS v3r2 and DHL in batches). The poller
// groups due trackings of one connection into batches of at most
// MaxBatch and calls FetchBatch, which returns one result per request,
// in order; an error that concerns the whole call (auth, rate limit) is
// returned as err and counts for every request.
type BatchConnector interface {
	Connector
	MaxBatch() int
	FetchBatch(ctx context.Context, reqs []FetchRequest) ([]BatchResult, error)
}

// BatchResult is one number's answer inside a batch: its result, or its
// own error with the same meaning as Fetch's (ErrNotFound, ...).
type BatchResult struct {
	Result FetchResult
	Err    error
}

// CredentialChecker is a Connector that can check an organization's
// credentials before they are stored (a token request). CheckCredentials
// returns nil when the carrier accepts them, a *CredentialError when it
// refuses them (the reason is the carrier's, safe to show the merchant),
// and any other error when the carrier could not be asked.
type CredentialChecker interface {
	CheckCredentials(ctx context.Context, creds map[string]string) error
}

// CredentialError is the carrier's refusal of credentials.
type CredentialError struct {
	// Reason is the carrier's own explanation, without any secret.
	Reason string
}

// Error describes the refusal.
func (e *CredentialError) Error() string { return "carrier: credentials refused: " + e.Reason }

// ErrNotFound means the carrier does not know the tracking number (yet).
// Test for it with errors.Is.
var ErrNotFound = errors.New("carrier: tracking number not found")

// ErrTemporary matches every *TemporaryError with errors.Is.
var ErrTemporary = errors.New("carrier: temporary failure")

// TemporaryError is a carrier failure that is worth retrying: the carrier
// rate-limited Waybill, answered with a 5xx, or did not answer in time.
type TemporaryError struct {
	// Reason is a short, loggable description ("rate limited", "HTTP 503").
	Reason string
	// RetryAfter is how long the carrier asked Waybill to wait (its
	// Retry-After header), zero when it did not say.
	RetryAfter time.Duration
	// Err is the underlying error, if any.
	Err error
}

// Error describes the failure.
func (e *TemporaryError) Error() string {
	msg := "carrier: temporary failure: " + e.Reason
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *TemporaryError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTemporary) true for every *TemporaryError.
func (e *TemporaryError) Is(target error) bool { return target == ErrTemporary }

// RetryAfter reports whether err is (or wraps) a *TemporaryError, and how
// long the carrier asked to wait before the next try (zero when it did
// not say).
func RetryAfter(err error) (wait time.Duration, temporary bool) {
	var te *TemporaryError
	if errors.As(err, &te) {
		return te.RetryAfter, true
	}
	return 0, false
}

// Registry holds the connectors by courier slug. Its zero value is an
// empty registry, and it is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	bySlug map[string]Connector
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register sets the connector of a courier, replacing any earlier one.
// It panics on a nil connector, a programming error.
func (r *Registry) Register(slug string, c Connector) {
	if c == nil {
		panic("carrier: Register of a nil connector for " + slug)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bySlug == nil {
		r.bySlug = map[string]Connector{}
	}
	r.bySlug[slug] = c
}

// Lookup returns the connector of a courier; ok is false when none is
// registered (its checkpoints can only come by push).
func (r *Registry) Lookup(slug string) (c Connector, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok = r.bySlug[slug]
	return c, ok
}

// Slugs returns the slugs that have a connector, sorted.
func (r *Registry) Slugs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.bySlug))
	for s := range r.bySlug {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
