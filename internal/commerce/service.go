package commerce

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Dispatcher writes events (and their webhook deliveries) in a transaction.
type Dispatcher interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

// Trackings is what commerce needs of the tracking core.
type Trackings interface {
	Create(ctx context.Context, orgID int64, in tracking.CreateInput) (waybill.Tracking, error)
	GetByNumber(ctx context.Context, orgID int64, slug, number string) (waybill.Tracking, error)
	Detect(ctx context.Context, orgID int64, number, group string, hints courier.Hints) ([]tracking.Candidate, error)
}

// Service is the commerce core. It is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Trackings Trackings  // nil: dropshipments get no tracking
	Events    Dispatcher // nil: no events
	Now       func() time.Time

	hashes sync.Map // webhook hash -> waybill.Channel; channels never change hash
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	if s.Events == nil || len(events) == 0 {
		return nil
	}
	return s.Events.Dispatch(ctx, tx, events...)
}

// event builds an event carrying a snapshot of the records it is about.
func (s *Service) event(orgID int64, typ string, snap waybill.CommerceSnapshot) (waybill.Event, error) {
	b, err := json.Marshal(snap)
	if err != nil {
		return waybill.Event{}, fmt.Errorf("encode %s snapshot: %w", typ, err)
	}
	return waybill.Event{OrgID: orgID, Type: typ, Detail: string(b), CreatedAt: s.now()}, nil
}

// Apply performs one channel write — a manual sale, a product import, or a
// batch acknowledge or disconnect of vendor SKUs — in tx. It is the one
// entry point of the synchronous API and the inbound processor, so both
// validate alike. A bad payload gives a *Problems (EINVALID) and writes
// nothing that the caller's savepoint or transaction keeps.
func (s *Service) Apply(ctx context.Context, tx *store.Tx, ch waybill.Channel, kind string, body []byte) (*waybill.InboundResult, error) {
	switch kind {
	case waybill.InboundManualSale:
		in, err := DecodeManualSale(body)
		if err != nil {
			return nil, err
		}
		return s.upsertSale(ctx, tx, ch, in)
	case waybill.InboundProducts:
		in, err := DecodeVariantImport(body)
		if err != nil {
			return nil, err
		}
		return s.importVariants(ctx, tx, ch, in)
	case waybill.InboundAcknowledge, waybill.InboundDisconnect:
		in, err := DecodeVendorSKUBatch(body)
		if err != nil {
			return nil, err
		}
		state := waybill.VendorSKUAcknowledged
		if kind == waybill.InboundDisconnect {
			state = waybill.VendorSKUDisconnected
		}
		return s.setVendorSKUState(ctx, tx, ch, in, state)
	}
	return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "unknown message kind %q", kind)
}

// ApplyNow runs Apply in a transaction of its own (the synchronous API).
func (s *Service) ApplyNow(ctx context.Context, ch waybill.Channel, kind string, body []byte) (*waybill.InboundResult, error) {
	var res *waybill.InboundResult
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.Apply(ctx, tx, ch, kind, body)
		return err
	})
	return res, err
}

// NewWebhookHash returns a random channel hash (128 bits, hex).
func NewWebhookHash() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateChannel creates a custom channel with a fresh webhook hash. A
// fulfillment URL, when given, must be an absolute http(s) URL.
func (s *Service) CreateChannel(ctx context.Context, orgID int64, name, fulfillmentURL string) (waybill.Channel, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return waybill.Channel{}, waybill.Invalid(waybill.ReasonFieldInvalid, "name must be 1 to 200 characters")
	}
	if fulfillmentURL != "" {
		u, err := url.Parse(fulfillmentURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return waybill.Channel{}, waybill.Invalid(waybill.ReasonFieldInvalid, "fulfillment_url must be an http(s) URL")
		}
	}
	c := waybill.Channel{OrgID: orgID, Name: name, WebhookHash: NewWebhookHash(), FulfillmentURL: fulfillmentURL, CreatedAt: s.now()}
	if err := s.Store.Write().InsertChannel(ctx, &c); err != nil {
		return waybill.Channel{}, err
	}
	return c, nil
}

// Channel returns the organization's channel, or ENOTFOUND.
func (s *Service) Channel(ctx context.Context, orgID, id int64) (waybill.Channel, error) {
	return s.Store.Read().Channel(ctx, orgID, id)
}

// Channels lists the organization's channels.
func (s *Service) Channels(ctx context.Context, orgID int64) ([]waybill.Channel, error) {
	return s.Store.Read().Channels(ctx, orgID, nil, store.Page{})
}

// ChannelByHash resolves a webhook hash to its channel, or EUNAUTHORIZED.
func (s *Service) ChannelByHash(ctx context.Context, hash string) (waybill.Channel, error) {
	if hash == "" || len(hash) > 128 {
		return waybill.Channel{}, waybill.Errorf(waybill.EUNAUTHORIZED, "Unknown webhook hash.")
	}
	if ch, ok := s.hashes.Load(hash); ok {
		return ch.(waybill.Channel), nil
	}
	ch, err := s.Store.Read().ChannelByHash(ctx, hash)
	if err == nil {
		s.hashes.Store(hash, ch)
	}
	return ch, err
}
