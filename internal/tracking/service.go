package tracking

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/claimloop"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
)

// Enqueuer schedules follow-up work inside a store transaction.
type Enqueuer interface {
	EnqueuePoll(ctx context.Context, tx *sql.Tx, orgID int64, trackingID string, at time.Time, priority int) error
	// EnqueuePollBatch queues many polls in one batched insert (CreateBatch).
	EnqueuePollBatch(ctx context.Context, tx *sql.Tx, polls []queue.Poll, priority int) error
}

// Service is the tracking core. It is safe for concurrent use.
type Service struct {
	Store      *store.Store
	Queue      Enqueuer
	Dispatcher Dispatcher        // writes webhook deliveries for events; nil sends none
	Carriers   *carrier.Registry // connectors by courier slug; nil polls nothing
	Now        func() time.Time  // defaults to time.Now
	// ExpireAfter is how long without news makes a tracking Expired;
	// DefaultExpireAfter when zero.
	ExpireAfter time.Duration
	// SandboxStep is the time between the sandbox courier's scans.
	SandboxStep time.Duration
	// Secrets seals courier connections' credentials; without a key,
	// creating a connection is refused (EUNPROCESSABLE).
	Secrets *secretbox.Box
	// Logger receives the poller's warnings; nil discards them. Nothing
	// logged carries a credential.
	Logger *slog.Logger

	// PollScale multiplies every interval of the poll cadence
	// (waybill.NextPoll); 0 means 1. Tests and demos run a journey in
	// seconds with a small one (WAYBILL_POLL_SCALE).
	PollScale float64
	// Rates overrides connectors' DefaultRate by courier slug: the budget
	// of each connection (WAYBILL_CARRIER_RATES).
	Rates map[string]carrier.Rate
	// PauseMin and PauseMax bound how long a connection's polls wait
	// after a temporary carrier failure that named no wait; zero means
	// DefaultPauseMin and DefaultPauseMax.
	PauseMin, PauseMax time.Duration
	// GatherWindow is how long the first poll of a batch waits for other
	// polls of its connection to join; zero means 20 ms.
	GatherWindow time.Duration
	// SharedBudgets, when set, keeps rate-limited connections' budgets and
	// pauses in the database, shared by every instance (PostgreSQL); nil
	// keeps them in this process only (one instance, SQLite).
	SharedBudgets CarrierBudgets
	// Snooze makes the queue run the current poll again after d without
	// counting an attempt; nil means queue.Snooze.
	Snooze func(d time.Duration) error
	// GroupCommit, when set and running, commits concurrent creates
	// together (one fsync for many on SQLite); nil gives each create a
	// transaction of its own. Either way a create returns once committed.
	GroupCommit *store.GroupCommitter
	// CreateCommit, when set and running, commits concurrent creates
	// together instead of GroupCommit (PostgreSQL, where only creates
	// gain: they are batched writes, with no statement of their own, see
	// insertBatched); nil uses GroupCommit for them.
	CreateCommit *store.GroupCommitter
	// ClaimPolls makes every poll a time in the tracking's row, for a
	// PollClaims loop to claim, rather than a job of the queue: a create's
	// first poll, each poll's next, a retrack's or renumber's (see
	// PollClaims); set it only where such a loop runs. CreateBatch
	// (imports) keeps a job for a first poll due at once, at its lower
	// priority; the polls after it are in the row.
	ClaimPolls bool

	pollWake claimloop.Waker

	createsOnce  sync.Once
	createWrites store.BatchedWrite[createWrite]

	gatesMu sync.Mutex
	gates   map[gateKey]*gate

	pollsOnce sync.Once
	polls     store.BatchedWrite[pollJob]
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return discardLogger
	}
	return s.Logger
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Get returns the organization's tracking with that id, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	if !validID(id) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.Store.Read().Tracking(ctx, orgID, id)
}

// GetAtKeyGeneration is Get together with the API key generation read in
// the same snapshot (store.Queries.TrackingAtKeyGeneration), for a face
// that confirms a key remembered in memory with that generation instead
// of reading it first (tenant.Service.CachedKey).
func (s *Service) GetAtKeyGeneration(ctx context.Context, orgID int64, id string) (waybill.Tracking, int64, error) {
	r, err := s.GetAtKeyGenerationUnlessSeen(ctx, orgID, id, nil)
	return r.Tracking, r.Gen, err
}

// GetByNumber returns the organization's tracking with that courier and
// number (normalized first), or ENOTFOUND.
func (s *Service) GetByNumber(ctx context.Context, orgID int64, slug, number string) (waybill.Tracking, error) {
	number = normalize(number)
	if !waybill.CleanLine(slug, waybill.MaxCodeLen) || !validNumber(number) {
		return waybill.Tracking{}, waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
	}
	return s.Store.Read().TrackingByNumber(ctx, orgID, slug, number)
}

// List returns a page of the organization's trackings. An invalid filter
// gives EINVALID (waybill.TrackingFilter.Validate).
func (s *Service) List(ctx context.Context, orgID int64, f waybill.TrackingFilter) (waybill.TrackingPage, error) {
	if err := f.Validate(); err != nil {
		return waybill.TrackingPage{}, err
	}
	numbers := make([]string, len(f.TrackingNumbers))
	for i, n := range f.TrackingNumbers {
		numbers[i] = normalize(n)
	}
	f.TrackingNumbers = numbers
	return s.Store.Read().ListTrackings(ctx, orgID, f)
}

// Delete removes the organization's tracking; ENOTFOUND if it has none with
// that id. It returns the tracking as it was.
func (s *Service) Delete(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	var t waybill.Tracking
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = tx.Tracking(ctx, orgID, id); err != nil {
			return err
		}
		return tx.DeleteTracking(ctx, orgID, id)
	})
	return t, err
}

// modify loads a tracking in a transaction, applies change, stores it, and
// runs after (which may enqueue work) in the same transaction.
func (s *Service) modify(ctx context.Context, orgID int64, id string, change func(t *waybill.Tracking) error, after func(tx *store.Tx, t *waybill.Tracking) error) (waybill.Tracking, error) {
	var t waybill.Tracking
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		// Locked: concurrent changes of one tracking take turns, so none
		// is lost (store's "Row locks").
		if t, err = tx.TrackingForUpdate(ctx, orgID, id); err != nil {
			return err
		}
		if err := change(&t); err != nil {
			return err
		}
		t.UpdatedAt = s.now()
		if err := tx.UpdateTracking(ctx, &t); err != nil {
			return err
		}
		if after != nil {
			return after(tx, &t)
		}
		return nil
	})
	return t, err
}

// validID reports whether id could be a public id; anything else is not
// looked up at all.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
