package carrier

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
)

// FetchRequest asks a carrier about one parcel.
type FetchRequest struct {
	Slug           string
	TrackingNumber string
	CourierFields  waybill.CourierFields
	Credentials    map[string]string // from the organization's courier connection, if any
	CreatedAt      time.Time         // when Waybill started following the parcel
}

// FetchResult is what a carrier said.
type FetchResult struct {
	Checkpoints      []waybill.Checkpoint
	ExpectedDelivery string // the carrier's estimate, when it gives one
	Expired          bool   // the carrier says it will never have news
}

// Connector is a carrier integration. Fetch returns every checkpoint the
// carrier knows (the core ignores ones already stored), ErrNotFound when the
// carrier does not know the number yet, or another error for a failure worth
// retrying (rate limit, outage).
type Connector interface {
	Fetch(ctx context.Context, req FetchRequest) (FetchResult, error)
}

// ErrNotFound means the carrier does not know the number (yet).
var ErrNotFound = errors.New("carrier: tracking number not found")

// Registry holds the connectors by courier slug. It is safe for concurrent
// use.
type Registry struct {
	mu     sync.RWMutex
	bySlug map[string]Connector
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{bySlug: map[string]Connector{}} }

// Register sets the connector of a courier.
func (r *Registry) Register(slug string, c Connector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bySlug[slug] = c
}

// Lookup returns the connector of a courier.
func (r *Registry) Lookup(slug string) (Connector, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.bySlug[slug]
	return c, ok
}
