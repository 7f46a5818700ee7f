package commerce

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/reqlog"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Webhooks is what commerce needs of the webhook machinery: it writes
// events (and their deliveries) in a transaction, and keeps each channel's
// fulfillment endpoint in step with the channel's fulfillment URL.
type Webhooks interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
	SetChannelEndpoint(ctx context.Context, tx *store.Tx, ch waybill.Channel) error
}

// Trackings is what commerce needs of the tracking core: the tracking of a
// parcel, found or made in the transaction ctx carries (store.InTx), so
// that a dropshipment and its tracking commit together. An EINVALID error
// must come before anything is written.
type Trackings interface {
	FindOrCreate(ctx context.Context, orgID int64, in tracking.CreateInput) (t waybill.Tracking, created bool, err error)
}

// Service is the commerce core. It is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Trackings Trackings // nil: dropshipments get no tracking
	Events    Webhooks  // nil: no events
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
// The channel's webhook hash is left out: it authenticates the channel's
// inbound endpoints, and events are shown in /v1/events and rendered into
// payloads for any subscriber.
func (s *Service) event(orgID int64, typ string, snap waybill.CommerceSnapshot) (waybill.Event, error) {
	if snap.Channel != nil {
		ch := *snap.Channel
		ch.WebhookHash = ""
		snap.Channel = &ch
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return waybill.Event{}, fmt.Errorf("encode %s snapshot: %w", typ, err)
	}
	e := waybill.Event{OrgID: orgID, Type: typ, Detail: string(b), CreatedAt: s.now()}
	if snap.Sale != nil {
		e.ChannelID = snap.Sale.ChannelID
	}
	return e, nil
}

// Write is one channel write: a *ManualSale, a *VariantImport or a
// *VendorSKUBatch. Faces decode their wire format into one; Apply checks it.
type Write interface {
	// Validate reports every problem of the write (a *Problems, EINVALID).
	Validate() error
	apply(ctx context.Context, s *Service, tx *store.Tx, ch waybill.Channel) (*waybill.InboundResult, error)
}

// Apply validates and performs one channel write in tx. It is the one entry
// point of the synchronous API and the inbound processor, so both validate
// alike. A bad write gives a *Problems (EINVALID) and writes nothing that
// the caller's savepoint or transaction keeps.
func (s *Service) Apply(ctx context.Context, tx *store.Tx, ch waybill.Channel, w Write) (*waybill.InboundResult, error) {
	if w == nil {
		return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "no write")
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w.apply(ctx, s, tx, ch)
}

// ApplyNow runs Apply in a transaction of its own (the synchronous API).
func (s *Service) ApplyNow(ctx context.Context, ch waybill.Channel, w Write) (*waybill.InboundResult, error) {
	var res *waybill.InboundResult
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.Apply(ctx, tx, ch, w)
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

// ChannelInput creates or changes a channel. Nil fields are left as they
// are on update; an empty FulfillmentURL removes the fulfillment webhook.
type ChannelInput struct {
	Name           *string
	FulfillmentURL *string
}

// CreateChannel creates a custom channel with a fresh webhook hash. With a
// fulfillment URL, the channel's fulfillment webhook (Onport's bundle, with
// the jetti-webhook-hash header) is delivered there for every shipment of
// the channel's sales.
func (s *Service) CreateChannel(ctx context.Context, orgID int64, in ChannelInput) (waybill.Channel, error) {
	if in.Name == nil {
		return waybill.Channel{}, waybill.Invalid(waybill.ReasonFieldRequired, "name is required")
	}
	c := waybill.Channel{OrgID: orgID, WebhookHash: NewWebhookHash(), CreatedAt: s.now()}
	if err := setChannel(&c, in); err != nil {
		return c, err
	}
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertChannel(ctx, &c); err != nil {
			return err
		}
		return s.setChannelEndpoint(ctx, tx, c)
	})
	return c, err
}

// UpdateChannel changes the present fields of a channel. Its webhook hash
// never changes.
func (s *Service) UpdateChannel(ctx context.Context, orgID, id int64, in ChannelInput) (waybill.Channel, error) {
	var c waybill.Channel
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.Channel(ctx, orgID, id); err != nil {
			return err
		}
		if err := setChannel(&c, in); err != nil {
			return err
		}
		if err := tx.UpdateChannel(ctx, c); err != nil {
			return err
		}
		return s.setChannelEndpoint(ctx, tx, c)
	})
	if err == nil {
		s.hashes.Delete(c.WebhookHash)
	}
	return c, err
}

func (s *Service) setChannelEndpoint(ctx context.Context, tx *store.Tx, c waybill.Channel) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.SetChannelEndpoint(ctx, tx, c)
}

// setChannel checks the input's present fields and sets them on c. The
// fulfillment URL is only trimmed here: whether Waybill may call it (an
// absolute http(s) URL, not a private target) is the webhook machinery's
// rule, applied by SetChannelEndpoint in the same transaction.
func setChannel(c *waybill.Channel, in ChannelInput) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || !waybill.CleanLine(name, 200) {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "name must be 1 to 200 characters, without control characters")
		}
		c.Name = name
	}
	if in.FulfillmentURL != nil {
		u := strings.TrimSpace(*in.FulfillmentURL)
		if !waybill.CleanLine(u, 2048) {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "fulfillment_url must be a URL of at most 2048 characters, without control characters")
		}
		c.FulfillmentURL = u
	}
	return nil
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
		reqlog.NoteOrg(ctx, ch.(waybill.Channel).OrgID)
		return ch.(waybill.Channel), nil
	}
	ch, err := s.Store.Read().ChannelByHash(ctx, hash)
	if err == nil {
		s.hashes.Store(hash, ch)
		reqlog.NoteOrg(ctx, ch.OrgID)
	}
	return ch, err
}
