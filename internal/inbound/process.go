package inbound

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/halves"
	"github.com/waybillhq/waybill/internal/store"
)

// Applier performs one write's effects in tx: commerce.Service.Apply.
type Applier interface {
	Apply(ctx context.Context, tx *store.Tx, ch waybill.Channel, w commerce.Write) (*waybill.InboundResult, error)
}

// Decoder turns a stored message body of a kind into the write it asks
// for; a body it cannot read is a validation error (EINVALID), recorded as
// the message's outcome. The face that accepted the message provides it
// (onport.DecodeWrite): the processor knows no wire format. It must be
// safe to call from several goroutines at once (a turn decodes its
// messages in parallel).
type Decoder func(kind string, body []byte) (commerce.Write, error)

// Processor works the inbound queue. Make it with NewProcessor.
type Processor struct {
	Store     *store.Store
	Commerce  Applier
	Decode    Decoder
	Workers   int           // channels worked at once
	BatchSize int           // messages per channel turn (and transaction)
	Rescan    time.Duration // how often the table is scanned for pending channels besides notifications
	Logger    *slog.Logger
	Now       func() time.Time
	// Busy, when set and true, makes workers yield: they pause YieldFor
	// before a turn and take at most BusyBatch messages, so that a burst
	// of inbound traffic keeps the database for its commits (the
	// Ingester's Busy).
	Busy func() bool
	// Preempt, when set and true between two messages of a turn, ends the
	// turn there (the Ingester's Waiting); the rest stays pending.
	Preempt   func() bool
	YieldFor  time.Duration
	BusyBatch int
	// OnTurn, when set, is called after each channel turn with the number
	// of messages it took (tests and metrics).
	OnTurn func(channelID int64, messages int)

	mu     sync.Mutex
	ready  []int64        // channels with (maybe) pending work, round-robin order
	queued map[int64]bool // in ready
	busy   map[int64]bool // being worked
	again  map[int64]bool // notified while busy
	wake   chan struct{}
}

// NewProcessor returns a processor that decodes message bodies with decode
// and applies them with c, with 4 workers, turns of 100 messages (10 after
// a 50ms pause while Busy), and a rescan every 5 seconds; change them
// before Run.
func NewProcessor(st *store.Store, c Applier, decode Decoder, logger *slog.Logger) *Processor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Processor{Store: st, Commerce: c, Decode: decode, Workers: 4, BatchSize: 100, Rescan: 5 * time.Second, Logger: logger,
		YieldFor: 50 * time.Millisecond, BusyBatch: 10,
		queued: map[int64]bool{}, busy: map[int64]bool{}, again: map[int64]bool{}, wake: make(chan struct{}, 1)}
}

var _ Applier = (*commerce.Service)(nil)

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

// Notify tells the processor that channels have new pending messages.
func (p *Processor) Notify(channelIDs []int64) {
	p.mu.Lock()
	for _, id := range channelIDs {
		p.enqueueLocked(id)
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Processor) enqueueLocked(id int64) {
	switch {
	case p.busy[id]:
		p.again[id] = true
	case !p.queued[id]:
		p.queued[id] = true
		p.ready = append(p.ready, id)
	}
}

// next takes the channel at the head of the round-robin, or 0.
func (p *Processor) next() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ready) == 0 {
		return 0
	}
	id := p.ready[0]
	p.ready = p.ready[1:]
	delete(p.queued, id)
	p.busy[id] = true
	return id
}

// done returns a channel to the round-robin's tail when it may have more.
func (p *Processor) done(id int64, more bool) {
	p.mu.Lock()
	delete(p.busy, id)
	if more || p.again[id] {
		p.enqueueLocked(id)
	}
	delete(p.again, id)
	p.mu.Unlock()
	if more {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// Run works the queue until ctx is done. It scans for pending work at
// start (what a previous run left) and every Rescan. When ctx is done it
// takes no new turn and returns once the turns in progress have ended.
// Turns run under work, not ctx, so that a shutdown lets them commit;
// cancelling work cuts them short instead: their transaction rolls back
// and their messages stay pending for the next run.
func (p *Processor) Run(ctx, work context.Context) {
	p.rescan(ctx)
	var wg sync.WaitGroup
	for range max(p.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				id := p.next()
				if id == 0 {
					select {
					case <-p.wake:
					case <-time.After(100 * time.Millisecond):
					case <-ctx.Done():
					}
					continue
				}
				size := p.BatchSize
				if p.Busy != nil && p.Busy() {
					select {
					case <-time.After(p.YieldFor):
					case <-ctx.Done():
					}
					size = min(size, max(p.BusyBatch, 1))
				}
				more, err := p.turn(work, id, size)
				if err != nil && work.Err() == nil {
					p.Logger.Error("inbound turn failed", "channel", id, "err", err)
					time.Sleep(200 * time.Millisecond)
					more = true
				}
				p.done(id, more)
			}
		}()
	}
	tick := time.NewTicker(p.Rescan)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-tick.C:
			p.rescan(ctx)
		}
	}
}

func (p *Processor) rescan(ctx context.Context) {
	ids, err := p.Store.Read().PendingInboundChannels(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.Logger.Error("scan inbound queue", "err", err)
		}
		return
	}
	p.Notify(ids)
}

// Turn processes up to BatchSize pending messages of one channel, in
// priority order, in one transaction, and reports whether the channel may
// have more. Each message runs in a savepoint: its effects and its outcome
// commit together, and a message that fails validation is recorded as
// failed without touching the others.
func (p *Processor) Turn(ctx context.Context, channelID int64) (bool, error) {
	return p.turn(ctx, channelID, p.BatchSize)
}

func (p *Processor) turn(ctx context.Context, channelID int64, size int) (bool, error) {
	var msgs []waybill.InboundMessage
	locked, preempted := true, false
	err := p.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if locked, err = tx.TryInboundChannelLock(ctx, channelID); err != nil || !locked {
			return err
		}
		// Read inside the transaction, under the lock: what another
		// instance finished meanwhile is not seen as pending.
		if msgs, err = tx.PendingInbound(ctx, channelID, size); err != nil || len(msgs) == 0 {
			return err
		}
		// Read once per turn, so that a change to the channel (its name,
		// its fulfillment URL) shows in the next turn.
		ch, err := tx.Channel(ctx, msgs[0].OrgID, channelID)
		if err != nil {
			return err
		}
		// Decode and check every message first, so that runs of manual
		// sales can be written together (writeRun); the rest, and any run
		// that cannot, go one by one (applyOne), in the same order.
		writes, undecoded, valid := p.decodeAll(msgs)
		runnable := p.batchable(writes, valid)
		for i := 0; i < len(msgs); {
			if i > 0 && p.Preempt != nil && p.Preempt() {
				preempted = true
				msgs = msgs[:i]
				break
			}
			j := i
			for j < len(msgs) && runnable[j] {
				j++
			}
			if j-i >= 2 {
				written, err := p.writeRun(ctx, tx, ch, msgs[i:j], writes[i:j])
				if err != nil {
					return err
				}
				if written {
					i = j
					continue
				}
			} else {
				j = i + 1
			}
			for k := i; k < j; k++ {
				if err := p.applyOne(ctx, tx, ch, msgs[k], writes[k], undecoded[k]); err != nil {
					return err
				}
			}
			i = j
		}
		return nil
	})
	if p.OnTurn != nil {
		p.OnTurn(channelID, len(msgs))
	}
	if err != nil {
		return true, err
	}
	if !locked {
		// Another instance works this channel now; look again later.
		time.Sleep(50 * time.Millisecond)
		return true, nil
	}
	return preempted || len(msgs) == size, nil
}

// SaleBatcher writes runs of manual sales together: commerce.Service. An
// Applier that is one lets the processor take a run of consecutive manual
// sales, new or updates, in a handful of statements instead of about
// twenty each.
type SaleBatcher interface {
	UpsertSales(ctx context.Context, tx *store.Tx, ch waybill.Channel, ins []*commerce.ManualSale) ([]*waybill.InboundResult, error)
}

var _ SaleBatcher = (*commerce.Service)(nil)

// batchable marks the messages that writeRun may take: valid manual sales
// that commerce.BatchableSale accepts. Several of one sale may be in a
// run: UpsertSales applies them in order.
func (p *Processor) batchable(writes []commerce.Write, valid []bool) []bool {
	ok := make([]bool, len(writes))
	if _, isBatcher := p.Commerce.(SaleBatcher); !isBatcher {
		return ok
	}
	for i, w := range writes {
		_, ok[i] = commerce.BatchableSale(w)
		ok[i] = ok[i] && valid[i]
	}
	return ok
}

// writeRun applies a run of manual sales (batchable) and marks their
// messages done, together, in one savepoint. It reports false, having
// changed nothing, when the run cannot be written as one (a sale that a
// concurrent writer created meanwhile, a message finished elsewhere, a
// store error); the caller then applies the messages one by one, which
// records each one's own outcome.
func (p *Processor) writeRun(ctx context.Context, tx *store.Tx, ch waybill.Channel, msgs []waybill.InboundMessage, writes []commerce.Write) (bool, error) {
	b := p.Commerce.(SaleBatcher)
	ins := make([]*commerce.ManualSale, len(writes))
	ids := make([]int64, len(msgs))
	for i, w := range writes {
		ins[i] = w.(*commerce.ManualSale)
		ids[i] = msgs[i].ID
	}
	err := tx.Savepoint(ctx, func() error {
		res, err := b.UpsertSales(ctx, tx, ch, ins)
		if err != nil {
			return err
		}
		return tx.FinishInboundDone(ctx, ids, res, p.now())
	})
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, err
	}
	p.Logger.Info("inbound run applied one by one", "channel", ch.ID, "messages", len(msgs), "err", err)
	return false, nil
}

// applyOne applies one message in a savepoint of its own: its effects and
// its outcome commit together, and a message that fails validation (its
// decoding's error, or Apply's) is recorded as failed without touching the
// others.
func (p *Processor) applyOne(ctx context.Context, tx *store.Tx, ch waybill.Channel, m waybill.InboundMessage, w commerce.Write, decodeErr error) error {
	applyErr := tx.Savepoint(ctx, func() error {
		if decodeErr != nil {
			return decodeErr
		}
		res, err := p.Commerce.Apply(ctx, tx, ch, w)
		if err != nil {
			return err
		}
		return tx.FinishInbound(ctx, m.ID, waybill.InboundDone, nil, res, p.now())
	})
	if applyErr == nil {
		return nil
	}
	// A message finished by another process meanwhile fails to be
	// marked again (ECONFLICT) and is skipped.
	if code := waybill.ErrorCode(applyErr); code == waybill.EINTERNAL || code == waybill.EUNAVAILABLE {
		if ctx.Err() != nil {
			return applyErr
		}
		p.Logger.Error("inbound message failed", "id", m.ID, "channel", ch.ID, "kind", m.Kind, "err", applyErr)
	}
	errs := commerce.ErrorList(applyErr)
	if err := tx.FinishInbound(ctx, m.ID, waybill.InboundFailed, errs, nil, p.now()); err != nil && waybill.ErrorCode(err) != waybill.ECONFLICT {
		return err
	}
	return nil
}

// decodeParallelMin is the fewest messages of a turn that decodeAll splits
// between two goroutines.
const decodeParallelMin = 16

// decodeAll decodes and validates msgs: each one's write, its decoding's
// error and whether the write is valid. A turn's database work waits for
// it and the database waits while it runs (one channel's turns are
// serial), so a large turn is decoded in two halves at once, on the CPU
// the database is not using: decoding and validation were about a fifth
// of a turn of new manual sales.
func (p *Processor) decodeAll(msgs []waybill.InboundMessage) ([]commerce.Write, []error, []bool) {
	writes := make([]commerce.Write, len(msgs))
	undecoded := make([]error, len(msgs))
	valid := make([]bool, len(msgs))
	_ = halves.Work(len(msgs), decodeParallelMin, func(from, to int) error {
		for i := from; i < to; i++ {
			m := &msgs[i]
			if writes[i], undecoded[i] = p.Decode(m.Kind, m.Body); undecoded[i] == nil && writes[i] != nil {
				valid[i] = writes[i].Validate() == nil
			}
		}
		return nil
	})
	return writes, undecoded, valid
}
