package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Ingester stores inbound messages with group commit. Make it with
// NewIngester; Run must be running for Submit to return.
type Ingester struct {
	Store    *store.Store
	MaxBatch int           // messages per transaction
	MaxWait  time.Duration // how long a batch waits for company
	Logger   *slog.Logger
	// Committed, when set, is told the channels of every committed batch
	// (the Processor's Notify).
	Committed func(channelIDs []int64)

	queue    chan *request
	stopped  chan struct{} // closed when Run has returned
	busyAt   atomic.Int64  // unix nanoseconds of the last batch that found company
	pending  atomic.Bool   // a batch is waiting for, or holding, the database
	batches  atomic.Int64
	messages atomic.Int64
}

// Busy reports whether requests have been arriving faster than one per
// commit in the last 100ms: the processor then yields the database to
// ingestion (accepting traffic comes first; processing catches up).
func (g *Ingester) Busy() bool {
	return time.Now().UnixNano()-g.busyAt.Load() < int64(100*time.Millisecond)
}

// Waiting reports whether a batch is waiting for the database right now:
// a processor turn then ends early, so that acknowledgements are not held
// up behind processing (on SQLite both need the one writer connection).
func (g *Ingester) Waiting() bool { return g.pending.Load() }

// Stats returns how many batches (transactions) and messages have been
// committed since start; messages/batches is the group-commit factor.
func (g *Ingester) Stats() (batches, messages int64) { return g.batches.Load(), g.messages.Load() }

type request struct {
	msg  *waybill.InboundMessage
	done chan error
}

// minCompany is the batch size below which the writer waits MaxWait for
// more messages before committing.
const minCompany = 4

// ErrStopped is returned by Submit once the ingester has stopped.
var ErrStopped = errors.New("inbound ingester stopped")

// NewIngester returns an ingester on st with the default batch size (512)
// and wait (1ms); change them before Run.
func NewIngester(st *store.Store, logger *slog.Logger) *Ingester {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Ingester{Store: st, MaxBatch: 512, MaxWait: time.Millisecond, Logger: logger, queue: make(chan *request, 16384),
		stopped: make(chan struct{})}
}

// Submit stores msg and returns once it is committed (msg.ID and
// msg.Priority set), or the error that kept it from being stored. When ctx
// ends first the message may still be stored; the caller then must not
// report success.
func (g *Ingester) Submit(ctx context.Context, msg *waybill.InboundMessage) error {
	r := &request{msg: msg, done: make(chan error, 1)}
	select {
	case g.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stopped:
		return ErrStopped
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stopped:
		select {
		case err := <-r.done:
			return err
		default:
			return ErrStopped
		}
	}
}

// Run is the writer loop; it returns when ctx is done, failing what is
// still queued with ErrStopped.
func (g *Ingester) Run(ctx context.Context) {
	batch := make([]*request, 0, g.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case r := <-g.queue:
			batch = append(batch, r)
		case <-ctx.Done():
			close(g.stopped)
			g.drain(ErrStopped)
			return
		}
		// Gather company: whatever is queued now (under load, what arrived
		// during the previous commit); only a lone message waits, up to
		// MaxWait, for others to share its fsync.
	drain:
		for len(batch) < g.MaxBatch {
			select {
			case r := <-g.queue:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		if len(batch) < minCompany {
			timer.Reset(g.MaxWait)
		gather:
			for len(batch) < g.MaxBatch {
				select {
				case r := <-g.queue:
					batch = append(batch, r)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		if len(batch) > 1 || len(g.queue) > 0 {
			g.busyAt.Store(time.Now().UnixNano())
		}
		g.pending.Store(true)
		errs := make([]error, len(batch))
		g.settle(context.WithoutCancel(ctx), batch, errs)
		g.pending.Store(false)
		var channels []int64
		seen := map[int64]bool{}
		for i, r := range batch {
			r.done <- errs[i]
			if errs[i] == nil && !seen[r.msg.ChannelID] {
				seen[r.msg.ChannelID] = true
				channels = append(channels, r.msg.ChannelID)
			}
		}
		if len(channels) > 0 && g.Committed != nil {
			g.Committed(channels)
		}
	}
}

// settle commits batch and sets errs[i] to the outcome of batch[i]. A
// batch whose commit fails is split in halves that are committed on their
// own, down to single messages: one message the database refuses (whoever
// sent it) fails only its own request, and the others are stored. When the
// database itself is failing, each message still gets the error, after at
// most 2n-1 attempts.
func (g *Ingester) settle(ctx context.Context, batch []*request, errs []error) {
	err := g.commit(ctx, batch)
	if err == nil || len(batch) == 1 {
		for i := range errs {
			errs[i] = err
		}
		return
	}
	half := len(batch) / 2
	g.settle(ctx, batch[:half], errs[:half])
	g.settle(ctx, batch[half:], errs[half:])
}

func (g *Ingester) commit(ctx context.Context, batch []*request) error {
	msgs := make([]*waybill.InboundMessage, len(batch))
	for i, r := range batch {
		msgs[i] = r.msg
	}
	err := g.Store.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertInbound(ctx, msgs) })
	if err != nil {
		g.Logger.Error("inbound batch not stored", "messages", len(batch), "err", err)
		return fmt.Errorf("store %d inbound messages: %w", len(batch), err)
	}
	g.batches.Add(1)
	g.messages.Add(int64(len(batch)))
	return nil
}

func (g *Ingester) drain(err error) {
	for {
		select {
		case r := <-g.queue:
			r.done <- err
		default:
			return
		}
	}
}
