package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// GroupCommitter runs the write transactions of concurrent callers
// together: one goroutine (Run) takes what is queued, runs each caller's
// function in one shared transaction, each inside a savepoint of its own,
// and commits once. On SQLite, with one writer connection and an fsync per
// commit (synchronous=FULL), that one fsync then acknowledges many writes
// instead of one; the inbound ingester (internal/inbound) does the same
// for Onport messages.
//
// What callers may rely on is InTx's: when it returns nil, fn's writes are
// committed; when it returns an error, none of them are. A caller's error
// (a conflict, a refused input, a failed statement) rolls back its own
// savepoint only, so it fails no one else's write, and it is that caller
// that gets it. Only a failure of the commit itself fails the whole batch,
// and then every caller in it gets the error and nothing is written.
//
// Make it with NewGroupCommitter. Until Run runs, and after it returns,
// InTx runs fn in a transaction of its own, like Store.InTx.
type GroupCommitter struct {
	store *Store
	// MaxBatch is the most functions committed in one transaction.
	MaxBatch int
	// MaxWait is how long a lone function waits for company before its
	// transaction begins: a batch of one costs its fsync alone.
	MaxWait time.Duration
	// Loops is how many transactions the committer may have under way at
	// once (at least one), as a pipeline: one loop gathers a batch and
	// runs its statements while the transactions of the others commit,
	// and a loop takes its batch only once the previous one's statements
	// have run, so batches stay as large as one loop's. That gains on
	// PostgreSQL, where each transaction has a connection of its own and
	// a commit is mostly the wait for its WAL flush; on SQLite's one
	// writer connection the next transaction would only queue for the
	// connection. With more than one loop, batches commit in no set order:
	// two callers queued one after the other may see the later one's
	// writes committed first.
	Loops int

	queue   chan *groupItem
	turn    chan struct{} // held by the loop that gathers and executes
	running atomic.Bool
	stopped chan struct{} // closed when Run returns

	batches, items atomic.Int64
	// execNanos and commitNanos: time spent in committed and failed
	// transactions, up to the end of their statements and then in their
	// commit (Timings).
	execNanos, commitNanos atomic.Int64
	// beforeCommit, when set (by tests), runs after a transaction's
	// statements and before its commit, on the loop's goroutine.
	beforeCommit func()
}

type groupItem struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *Tx) error
	// write, when set, is queued as a BatchedWrite item of the transaction
	// instead of running fn in a savepoint (Write); fn is the fallback.
	write *pendingWrite
	err   error
	pan   any // fn's panic, raised again in the caller
	done  chan struct{}
}

// NewGroupCommitter returns a committer on s that commits up to 256
// functions at once and lets a lone one wait 200µs for company; change
// MaxBatch and MaxWait before Run.
func NewGroupCommitter(s *Store) *GroupCommitter {
	return &GroupCommitter{store: s, MaxBatch: 256, MaxWait: 200 * time.Microsecond,
		queue: make(chan *groupItem, 4096), turn: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// GroupCommitterFor returns a new committer on s when s's engine gains
// from one, and nil when it does not; the caller runs it (Run) and uses
// Store.InTx when it is nil. SQLite gains: its one writer connection takes
// one transaction at a time, each with an fsync (synchronous=FULL), so
// concurrent creates share that fsync instead of queueing for one each.
// PostgreSQL does not: it already shares WAL flushes between concurrent
// commits, and a shared transaction would run its functions' round trips
// one after another on one connection (creates went from 204 to 68/s).
func GroupCommitterFor(s *Store) *GroupCommitter {
	if s.Engine() != "sqlite" {
		return nil
	}
	return NewGroupCommitter(s)
}

// Stats returns how many transactions and functions have been committed
// since start: items/batches is the group-commit factor.
func (g *GroupCommitter) Stats() (batches, items int64) { return g.batches.Load(), g.items.Load() }

// Running reports whether Run has started and not yet stopped: until it
// has, InTx and Write run their functions in transactions of their own.
func (g *GroupCommitter) Running() bool { return g.running.Load() }

// InTx runs fn in a transaction shared with other callers, in a savepoint
// of its own, and returns once that transaction has committed (nil) or fn
// failed or the commit failed (the error; nothing of fn's is then
// written). fn gets a context that carries the transaction, so services
// it calls join it (Store.InTx); fn must not keep tx or that context.
//
// fn runs on the committer's goroutine, one function after another, and
// with ctx's values but not its cancellation: a statement cancelled
// half-way would break the transaction of everyone. If ctx ends before fn
// has started, fn does not run and InTx returns ctx's error; if it ends
// while fn's transaction is under way, InTx returns ctx's error at once
// and fn's writes may or may not be committed, so the caller must not
// report success.
//
// When ctx already carries a transaction of the store, fn joins it, as
// with Store.InTx. When the committer is not running, fn gets a
// transaction of its own.
func (g *GroupCommitter) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if _, ok := g.store.carried(ctx); ok || !g.running.Load() {
		return g.store.InTx(ctx, fn)
	}
	return g.wait(&groupItem{ctx: ctx, fn: fn, done: make(chan struct{})})
}

// Write queues item for b in the committer's next transaction, as b.Add
// from one of its functions would, but with no function, and so no
// savepoint, of its own: a write that needs no statement before the
// transaction's batched ones (an attempt's record) costs the transaction
// nothing but its share of b.Write. It returns as InTx does: nil once the
// transaction has committed, else the error (b.Write's or the commit's)
// and item is not written; ctx as for InTx. When the committer is not
// running, or ctx carries a transaction, item is written (b.Add) in that
// transaction or one of its own.
func Write[T any](ctx context.Context, g *GroupCommitter, b *BatchedWrite[T], item T) error {
	fn := func(ctx context.Context, tx *Tx) error { return b.Add(ctx, tx, item) }
	if _, ok := g.store.carried(ctx); ok || !g.running.Load() {
		return g.store.InTx(ctx, fn)
	}
	return g.wait(&groupItem{ctx: ctx, fn: fn, write: &pendingWrite{batch: b, item: item}, done: make(chan struct{})})
}

// wait queues it and waits for its outcome.
func (g *GroupCommitter) wait(it *groupItem) error {
	ctx, fn := it.ctx, it.fn
	select {
	case g.queue <- it:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stopped:
		return g.store.InTx(ctx, fn)
	}
	select {
	case <-it.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if it.pan != nil {
		panic(it.pan)
	}
	return it.err
}

// Run commits what InTx queues until ctx is done, in Loops transactions
// at once. Functions still queued then run in transactions of their own.
func (g *GroupCommitter) Run(ctx context.Context) {
	g.running.Store(true)
	defer func() {
		g.running.Store(false)
		close(g.stopped)
		for {
			select {
			case it := <-g.queue:
				it.err = g.store.InTx(it.ctx, it.fn)
				close(it.done)
			default:
				return
			}
		}
	}()
	var loops sync.WaitGroup
	for range max(g.Loops, 1) - 1 {
		loops.Go(func() { g.loop(ctx) })
	}
	g.loop(ctx)
	loops.Wait()
}

// loop takes batches from the queue and commits each, one after another,
// until ctx is done. It gathers and executes a batch only in its turn,
// which it gives up once the batch's statements have run (commit), so
// that of several loops one executes while the others commit.
func (g *GroupCommitter) loop(ctx context.Context) {
	batch := make([]*groupItem, 0, g.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case g.turn <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case it := <-g.queue:
			batch = append(batch, it)
		case <-ctx.Done():
			<-g.turn
			return
		}
		// Whatever queued during the previous commit joins at once; only a
		// lone function waits, up to MaxWait, for others to share its fsync.
	drain:
		for len(batch) < g.MaxBatch {
			select {
			case it := <-g.queue:
				batch = append(batch, it)
			default:
				break drain
			}
		}
		if len(batch) == 1 && g.MaxWait > 0 {
			timer.Reset(g.MaxWait)
		gather:
			for len(batch) < g.MaxBatch {
				select {
				case it := <-g.queue:
					batch = append(batch, it)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		g.commit(context.WithoutCancel(ctx), batch)
		for _, it := range batch {
			close(it.done)
		}
	}
}

// commit runs batch in one transaction and sets each item's outcome. It
// gives up the loop's turn once the transaction's statements have run,
// before its commit, or as soon as it knows there is none.
func (g *GroupCommitter) commit(ctx context.Context, batch []*groupItem) {
	turn := true
	release := func() {
		if turn {
			turn = false
			<-g.turn
		}
	}
	defer release()
	live := batch[:0:0]
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil {
			it.err = err // its caller has gone: do not write for it
			continue
		}
		live = append(live, it)
	}
	if len(live) == 0 {
		return
	}
	start := time.Now()
	var executed time.Time
	err := g.store.InTx(ctx, func(txCtx context.Context, tx *Tx) error {
		defer func() {
			executed = time.Now()
			release()
			if g.beforeCommit != nil {
				g.beforeCommit()
			}
		}()
		shared := &sharedTx{tx: tx}
		for _, it := range live {
			if it.write != nil {
				shared.pending = append(shared.pending, *it.write)
				continue
			}
			if err := runInSavepoint(txCtx, tx, shared, it); err != nil {
				return err
			}
		}
		return shared.writeBatches(txCtx)
	})
	g.timed(start, executed)
	if err != nil {
		// The transaction itself failed: nothing of the batch is written,
		// and every function that had not failed on its own gets why.
		for _, it := range live {
			if it.err == nil {
				it.err = err
			}
		}
		return
	}
	g.batches.Add(1)
	for _, it := range live {
		if it.err == nil {
			g.items.Add(1)
		}
	}
}

// runInSavepoint runs it.fn inside a savepoint of tx and records its
// outcome in it. An error of fn rolls back to the savepoint, which undoes
// fn's writes and, on PostgreSQL, clears the transaction's failed state,
// so the next function starts clean. Only an error of the savepoint
// statements themselves is returned: the transaction can then go no
// further.
func runInSavepoint(txCtx context.Context, tx *Tx, shared *sharedTx, it *groupItem) error {
	if _, err := tx.q.ExecContext(txCtx, `SAVEPOINT group_item`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	// fn sees the caller's values (request id, organization) and the
	// batch's transaction; not the caller's cancellation.
	fnCtx := context.WithValue(context.WithoutCancel(it.ctx), txKey{}, tx)
	fnCtx = context.WithValue(fnCtx, sharedTxKey{}, shared)
	mark, hooks := len(shared.pending), len(tx.afterCommit)
	it.pan, it.err = callGuarded(fnCtx, tx, it.fn)
	if it.err == nil && it.pan == nil {
		if _, err := tx.q.ExecContext(txCtx, `RELEASE SAVEPOINT group_item`); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		return nil
	}
	if it.pan != nil && it.err == nil {
		it.err = fmt.Errorf("group commit: %v", it.pan)
	}
	shared.pending = shared.pending[:mark] // what fn batched goes with its writes
	tx.undoAfterCommit(hooks)
	if _, err := tx.q.ExecContext(txCtx, `ROLLBACK TO SAVEPOINT group_item`); err != nil {
		return fmt.Errorf("rollback to savepoint: %w", err)
	}
	if _, err := tx.q.ExecContext(txCtx, `RELEASE SAVEPOINT group_item`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// callGuarded calls fn and returns the value it panicked with, or its
// error: one caller's panic must not end the committer.
func callGuarded(ctx context.Context, tx *Tx, fn func(ctx context.Context, tx *Tx) error) (pan any, err error) {
	defer func() {
		if p := recover(); p != nil {
			pan = p
		}
	}()
	return nil, fn(ctx, tx)
}

// BatchedWrite is a write that the functions of a transaction shared by a
// GroupCommitter make once for all of them, at the end of the
// transaction, instead of once each: River's job insert, which is a
// statement (and on SQLite a JSON array decoded in SQL) however many jobs
// it carries, is the example. Make one per kind of write and keep it (Add
// groups by the BatchedWrite's address).
type BatchedWrite[T any] struct {
	// Write writes items in tx. An error fails the whole transaction.
	Write func(ctx context.Context, tx *Tx, items []T) error
}

// Add queues item in the transaction ctx carries, to be written with the
// others of the same BatchedWrite after the transaction's last function
// and before its commit, when that transaction is a GroupCommitter's;
// otherwise it writes item at once (Write with one item) and returns its
// error. tx must be the transaction ctx carries.
//
// In a shared transaction, what a caller may rely on is still InTx's: the
// item commits with its function's writes, or neither does. An item queued
// by a function that then fails is dropped with that function's savepoint;
// an error of Write fails every function of the transaction (their InTx
// returns it and nothing of theirs is written), as a failed commit does.
func (b *BatchedWrite[T]) Add(ctx context.Context, tx *Tx, item T) error {
	shared, ok := ctx.Value(sharedTxKey{}).(*sharedTx)
	if !ok || shared.tx != tx {
		return b.Write(ctx, tx, []T{item})
	}
	shared.pending = append(shared.pending, pendingWrite{batch: b, item: item})
	return nil
}

// Queued returns the items queued with b so far (Add, Write) in the
// transaction ctx carries, in the order they were queued, when it is a
// GroupCommitter's, and nil otherwise: a function can see what the
// functions before it in the transaction left to write. Those of
// functions that failed are not among them. The slice is the caller's.
func (b *BatchedWrite[T]) Queued(ctx context.Context) []T {
	shared, ok := ctx.Value(sharedTxKey{}).(*sharedTx)
	if !ok {
		return nil
	}
	var out []T
	for _, p := range shared.pending {
		if p.batch == batchWriter(b) {
			out = append(out, p.item.(T))
		}
	}
	return out
}

func (b *BatchedWrite[T]) writeAll(ctx context.Context, tx *Tx, items []any) error {
	ts := make([]T, len(items))
	for i, v := range items {
		ts[i] = v.(T)
	}
	return b.Write(ctx, tx, ts)
}

// batchWriter is a BatchedWrite of any item type.
type batchWriter interface {
	writeAll(ctx context.Context, tx *Tx, items []any) error
}

type pendingWrite struct {
	batch batchWriter
	item  any
}

// sharedTx is what a GroupCommitter's transaction carries for
// BatchedWrite.Add: the items queued by its functions so far. Only the
// committer's goroutine touches it.
type sharedTx struct {
	tx      *Tx
	pending []pendingWrite
}

type sharedTxKey struct{}

// writeBatches writes the queued items, one Write per BatchedWrite, in the
// order their first items were queued.
func (s *sharedTx) writeBatches(ctx context.Context) error {
	for len(s.pending) > 0 {
		b := s.pending[0].batch
		var items []any
		rest := s.pending[:0]
		for _, p := range s.pending {
			if p.batch == b {
				items = append(items, p.item)
			} else {
				rest = append(rest, p)
			}
		}
		s.pending = rest
		if err := b.writeAll(ctx, s.tx, items); err != nil {
			return fmt.Errorf("batched write of %d items: %w", len(items), err)
		}
	}
	return nil
}
