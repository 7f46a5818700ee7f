package webhook

import (
	"sync"

	"github.com/waybillhq/waybill/internal/store"
)

// batchPayloads renders the payloads of one batch of deliveries (those one
// statement claimed or read, or one push handed off) once per event and
// API version. An event reaches every endpoint of its organization that
// wants it, and its deliveries are read together and share the one decoded
// Event (store.scanDeliveries, handoffDeliveries): ten endpoints of one
// version rendered the same body ten times, 11 % of a drain's server CPU
// (docs/benchmarks/webhooks.md, session 14). The body is what the renderer
// returns for that Event and version, as each delivery rendered it on its
// own before, and nothing writes to it after (each endpoint signs it with
// its own secrets, Sign only reads it). A batch's bodies live as long as
// its attempts: a delivery read again later (a retry, a claim after a
// lapsed one) renders what that read holds.
//
// A nil *batchPayloads renders every delivery's body on its own: a batch of
// one, or a caller without a batch.
type batchPayloads struct {
	mu     sync.Mutex
	bodies map[payloadKey]*payload
}

// payloadKey names one rendering: the deliveries of a batch with the same
// organization and event sequence share their Event.
type payloadKey struct {
	orgID, eventSeq int64
	apiVersion      string
}

// payload is one rendering, made by the first attempt that needs it; the
// others wait for it.
type payload struct {
	once sync.Once
	body []byte
	err  error
}

// newBatchPayloads returns the renderings of the payloads of a batch of n
// deliveries; nil for a batch of one.
func newBatchPayloads(n int) *batchPayloads {
	if n < 2 {
		return nil
	}
	return &batchPayloads{bodies: map[payloadKey]*payload{}}
}

// render returns del's payload: r's rendering of its event in its
// endpoint's API version, made once for the batch's deliveries that share
// both. The caller must not change the body.
func (b *batchPayloads) render(r PayloadRenderer, del store.Delivery) ([]byte, error) {
	if b == nil {
		return r.WebhookPayload(del.Event, del.Endpoint.APIVersion)
	}
	k := payloadKey{orgID: del.OrgID, eventSeq: del.EventSeq, apiVersion: del.Endpoint.APIVersion}
	b.mu.Lock()
	p, ok := b.bodies[k]
	if !ok {
		p = &payload{}
		b.bodies[k] = p
	}
	b.mu.Unlock()
	p.once.Do(func() { p.body, p.err = r.WebhookPayload(del.Event, del.Endpoint.APIVersion) })
	return p.body, p.err
}

// batchDelivery is a delivery to attempt, with the batch it came in.
type batchDelivery struct {
	del    store.Delivery
	bodies *batchPayloads
}

// inBatch returns dels as one batch.
func inBatch(dels []store.Delivery) []batchDelivery {
	bodies := newBatchPayloads(len(dels))
	out := make([]batchDelivery, len(dels))
	for i, del := range dels {
		out[i] = batchDelivery{del: del, bodies: bodies}
	}
	return out
}
