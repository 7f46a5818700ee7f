package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// PayloadRenderer renders an event as the payload of an API version
// (AfterShip's webhook body for v4 or 2026-07).
type PayloadRenderer interface {
	WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error)
}

// Deliverer makes delivery attempts: the handler of the queue's
// deliver_webhook job.
type Deliverer struct {
	Service *Service
	// Store is what the attempts read and record through (the store's
	// ForWorkers handle, so that they do not wait for the API's
	// connections); Service.Store when nil.
	Store    *store.Store
	Client   *Client
	Renderer PayloadRenderer
	Schedule []time.Duration // delays between attempts; DefaultSchedule when nil
	Logger   *slog.Logger
	// PerEndpoint bounds attempts in flight to one endpoint from this
	// process, so that a slow endpoint cannot take every worker; 8 when 0.
	PerEndpoint int
	// GroupCommit, when set and running, commits the attempts' records
	// many to a transaction (see record.go), with the other writes it
	// groups (SQLite: one writer connection, one fsync for many); when nil
	// each record has a transaction of its own.
	GroupCommit *store.GroupCommitter
	// Snooze is returned when an endpoint stays at its limit; the queue
	// runs the job again a little later. It must be set by the caller.
	Snooze func(d time.Duration) error

	mu         sync.Mutex
	slots      map[int64]chan struct{}
	reads      group[*deliveryRead] // see readDelivery
	readsOnce  sync.Once
	recordW    store.BatchedWrite[attemptItem]
	recordOnce sync.Once
}

// deliveryRead is an attempt's read of its delivery, made with those of
// the attempts starting meanwhile.
type deliveryRead struct {
	key    store.DeliveryKey
	del    store.Delivery
	bodies *batchPayloads // the payloads of the deliveries read with it
	err    error
}

// readsInFlight bounds the delivery reads under way at once.
const readsInFlight = 4

// readDelivery loads a delivery with its event and endpoint. The attempts
// starting while reads are under way read their deliveries together, with
// one statement, once one ends (group): hundreds of workers each holding a
// database connection for a read of their own took the whole PostgreSQL
// pool (32) from the pushes and API requests, which then queued behind
// them, and cost a round trip each. At most readsInFlight statements read
// for them all: with one, every attempt waited for the read before it and
// then its own, each a round trip on a busy database.
func (d *Deliverer) readDelivery(ctx context.Context, orgID, deliveryID int64) (store.Delivery, *batchPayloads, error) {
	d.readsOnce.Do(func() { d.reads.runs = readsInFlight })
	r := &deliveryRead{key: store.DeliveryKey{OrgID: orgID, ID: deliveryID}}
	d.reads.submit(ctx, r, d.readBatch)
	return r.del, r.bodies, r.err
}

// store is what attempts read and record through.
func (d *Deliverer) store() *store.Store {
	if d.Store != nil {
		return d.Store
	}
	return d.Service.Store
}

// readTimeout bounds one group's read.
const readTimeout = 30 * time.Second

// readBatch reads the deliveries of batch with one statement, and shares
// one rendering of each of their payloads (batchPayloads). A delivery
// absent from the answer is ENOTFOUND. The read does not end with the
// leader's context: its members' attempts go on.
func (d *Deliverer) readBatch(ctx context.Context, batch []*deliveryRead) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	defer cancel()
	keys := make([]store.DeliveryKey, len(batch))
	for i, r := range batch {
		keys[i] = r.key
	}
	found, err := d.store().Read().Deliveries(ctx, keys)
	for _, r := range batch {
		switch del, ok := found[r.key]; {
		case err != nil:
			r.err = err
		case !ok:
			r.err = waybill.Errorf(waybill.ENOTFOUND, "Delivery does not exist.")
		default:
			r.del = del
		}
	}
	bodies := newBatchPayloads(len(found))
	for _, r := range batch {
		r.bodies = bodies
	}
}

// slotWait is how long an attempt waits for a free slot of its endpoint
// before it gives its worker back and is snoozed.
const slotWait = 500 * time.Millisecond

func (d *Deliverer) slot(endpointSeq int64) chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.slots == nil {
		d.slots = map[int64]chan struct{}{}
	}
	s, ok := d.slots[endpointSeq]
	if !ok {
		limit := d.PerEndpoint
		if limit <= 0 {
			limit = 8
		}
		s = make(chan struct{}, limit)
		d.slots[endpointSeq] = s
	}
	return s
}

// acquire takes a slot of the endpoint, waiting at most slotWait. A fast
// endpoint frees slots within that time; a slow one makes its own attempts
// wait while other endpoints' attempts go ahead on the other workers.
func (d *Deliverer) acquire(ctx context.Context, endpointSeq int64) bool {
	s := d.slot(endpointSeq)
	select {
	case s <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(slotWait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (d *Deliverer) release(endpointSeq int64) { <-d.slot(endpointSeq) }

// Deliver makes attempt number attempt of a delivery. It is idempotent: an
// attempt already recorded, a finished delivery, or one whose endpoint is
// gone does nothing. Every attempt is recorded with its status, latency and
// an excerpt of the response; a failure schedules the next attempt, and a
// 410 or five days of failure disable the endpoint.
func (d *Deliverer) Deliver(ctx context.Context, orgID, deliveryID int64, attempt int) error {
	return d.deliver(ctx, orgID, deliveryID, attempt, d.Snooze)
}

// deliver is Deliver, returning snooze's error when the endpoint stays at
// its limit.
func (d *Deliverer) deliver(ctx context.Context, orgID, deliveryID int64, attempt int, snooze func(time.Duration) error) error {
	del, bodies, err := d.readDelivery(ctx, orgID, deliveryID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	return d.deliverRead(ctx, del, bodies, attempt, snooze)
}

// deliverRead is deliver once the delivery is read, its payload rendered
// through bodies, the batch it was read with (nil: on its own).
func (d *Deliverer) deliverRead(ctx context.Context, del store.Delivery, bodies *batchPayloads, attempt int, snooze func(time.Duration) error) error {
	orgID, deliveryID := del.OrgID, del.ID
	if del.Status != store.DeliveryPending || del.Attempts >= attempt {
		return nil
	}
	if !del.Endpoint.Enabled {
		f := &finishedAttempt{del: del, attempt: attempt, skipped: true, now: d.Service.now()}
		d.record(ctx, f)
		return f.err
	}
	if !d.acquire(ctx, del.EndpointSeq) {
		return snooze(time.Second + time.Duration(rand.Int64N(int64(time.Second))))
	}
	defer d.release(del.EndpointSeq)

	body, err := bodies.render(d.Renderer, del)
	if err != nil {
		return fmt.Errorf("render event %s: %w", del.Event.ID, err)
	}
	sent := d.Service.now()
	h := http.Header{}
	if err := Sign(h, del.Event.ID, sent, body, signingSecrets(del.Endpoint, sent)); err != nil {
		return fmt.Errorf("sign delivery %d: %w", deliveryID, err)
	}
	for k, v := range del.Endpoint.Headers {
		h.Set(k, v)
	}
	res := d.Client.Deliver(ctx, del.Endpoint.URL, h, body)
	// The attempt's record joins those of other attempts that finish
	// meanwhile, in one transaction; Deliver returns (and the queue
	// completes the job) only once it is committed.
	f := &finishedAttempt{del: del, attempt: attempt, res: res, now: d.Service.now()}
	d.record(ctx, f)
	if f.err == nil && f.outcome != "success" && f.outcome != "" {
		d.logFailure(orgID, deliveryID, del.Endpoint, f.record(), res.Err, f.next)
	}
	return f.err
}

// logFailure writes one warning per failed attempt, once it is recorded:
// the endpoint (its id and host; a URL's path and query may hold a
// receiver's token), the answer, and when the next attempt is due.
func (d *Deliverer) logFailure(orgID, deliveryID int64, ep waybill.WebhookEndpoint, a waybill.DeliveryAttempt, cause error, next time.Time) {
	if d.Logger == nil {
		return
	}
	host := ""
	if u, err := url.Parse(ep.URL); err == nil {
		host = u.Host
	}
	nextAttempt := "none"
	if !next.IsZero() {
		nextAttempt = next.UTC().Format(time.RFC3339)
	}
	attrs := []any{"org", orgID, "endpoint", ep.ID, "host", host, "delivery", deliveryID, "attempt", a.Attempt,
		"status", a.StatusCode, "outcome", a.Outcome, "next_attempt", nextAttempt}
	if cause != nil {
		var ue *url.Error // it would repeat the whole URL
		if errors.As(cause, &ue) {
			cause = ue.Err
		}
		attrs = append(attrs, "error", cause.Error())
	}
	d.Logger.Warn("webhook attempt failed", attrs...)
}

func (d *Deliverer) schedule() []time.Duration {
	if d.Schedule != nil {
		return d.Schedule
	}
	return DefaultSchedule
}

// disable switches an endpoint off and records an event that says why.
func (d *Deliverer) disable(ctx context.Context, tx *store.Tx, ep *waybill.WebhookEndpoint, reason string, now time.Time) error {
	ep.Enabled, ep.DisabledReason, ep.UpdatedAt = false, reason, now
	if err := tx.UpdateEndpoint(ctx, ep); err != nil {
		return err
	}
	if d.Logger != nil {
		d.Logger.Warn("webhook endpoint disabled", "endpoint", ep.ID, "reason", reason)
	}
	_, err := tx.InsertEvent(ctx, &waybill.Event{OrgID: ep.OrgID, Type: waybill.EventEndpointDisabled,
		Detail: "endpoint " + ep.ID + " (" + ep.URL + ") disabled: " + reason, CreatedAt: now})
	return err
}

func ignoreNotFound(err error) error {
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	}
	return err
}
