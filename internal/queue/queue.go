package queue

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Priorities: lower runs first. New data goes ahead of updates.
const (
	PriorityNew     = 1
	PriorityUpdate  = 2
	PriorityRoutine = 3
	PriorityBulk    = 4
)

// QueueWebhooks is the queue of webhook deliveries.
const QueueWebhooks = "webhooks"

// webhookFetchCooldown is the least time between two fetches of the
// webhooks queue. River fetches again when a job finishes after a fetch
// that filled every free worker, but no sooner than the cooldown; with
// deliveries of a few milliseconds each, the default 50 ms (at most the
// workers' number of jobs per 50 ms) was what bounded their rate.
const webhookFetchCooldown = 20 * time.Millisecond

// QueueNotifications is the queue of customer notifications (email, SMS).
const QueueNotifications = "notifications"

// QueueOnport is the queue of the Onport connector's fetches and writes,
// which wait for their token's throttle and so must not hold up polls.
const QueueOnport = "onport"

// Options configure a Queue.
type Options struct {
	Engine         string // "sqlite" or "postgres"
	Workers        int    // jobs worked at once by this process, besides webhooks
	WebhookWorkers int    // webhook deliveries attempted at once by this process
	NotifyWorkers  int    // customer notifications sent at once by this process; 10 when 0
	OnportWorkers  int    // Onport connector jobs worked at once by this process; 4 when 0
	PollInterval   time.Duration
	Logger         *slog.Logger
	// Work is false for a process that only inserts jobs (the CLI).
	Work bool
	// NoWebhooks makes a working process leave the webhook queue (retries,
	// the pending-time sweep) to the others: WAYBILL_WEBHOOK_WORKERS=0.
	NoWebhooks bool
	// Lease is how long a job left running by a dead process waits before
	// another process takes it again (WAYBILL_CLAIM_LEASE); the job
	// timeout shrinks with a lease under DefaultLease. DefaultLease when 0.
	Lease time.Duration
}

// Queue inserts and works jobs.
type Queue struct {
	client *river.Client[*sql.Tx]
	db     *sql.DB
	engine string
	logger *slog.Logger

	stopSweep                context.CancelFunc
	orphanAfter, orphanSweep time.Duration
}

func driver(db *sql.DB, engine string) riverdriver.Driver[*sql.Tx] {
	if engine == "postgres" {
		return riverdatabasesql.New(db)
	}
	return riversqlite.New(db)
}

// Migrate creates or updates River's tables. Store.Migrate runs it inside its
// migration lock.
func Migrate(db *sql.DB, engine string) func(context.Context) error {
	return MigrateReport(db, engine, nil)
}

// MigrateReport is Migrate that appends to *applied a line per queue
// migration it applied ("river 006 bulk_unique"); applied may be nil.
func MigrateReport(db *sql.DB, engine string, applied *[]string) func(context.Context) error {
	return func(ctx context.Context) error {
		m, err := rivermigrate.New(driver(db, engine), nil)
		if err != nil {
			return fmt.Errorf("prepare queue migrations: %w", err)
		}
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return fmt.Errorf("migrate queue: %w", err)
		}
		if applied != nil && res != nil {
			for _, v := range res.Versions {
				*applied = append(*applied, fmt.Sprintf("river %03d %s", v.Version, v.Name))
			}
		}
		return nil
	}
}

// New returns a queue on db. h provides the handlers of the job kinds this
// process works; it is ignored when opts.Work is false.
func New(db *sql.DB, opts Options, h Handlers) (*Queue, error) {
	if opts.PollInterval == 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	jobTimeout, orphanAfter, orphanSweep := leaseTimeouts(opts.Lease)
	cfg := &river.Config{
		Logger:                      riverLogger(opts.Logger),
		FetchCooldown:               min(opts.PollInterval, 50*time.Millisecond),
		FetchPollInterval:           opts.PollInterval,
		JobTimeout:                  jobTimeout,
		RescueStuckJobsAfter:        10 * time.Minute,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		RetryPolicy:                 cappedRetry{},
	}
	if opts.Work {
		// Webhook deliveries have their own queue and workers, so that slow
		// receivers never hold up polls and sweeps (and the reverse).
		cfg.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: max(opts.Workers, 1)},
			QueueWebhooks:      {MaxWorkers: max(opts.WebhookWorkers, 1), FetchCooldown: min(opts.PollInterval, webhookFetchCooldown)},
			QueueNotifications: {MaxWorkers: cmp.Or(opts.NotifyWorkers, 10)},
			QueueOnport:        {MaxWorkers: cmp.Or(opts.OnportWorkers, 4)},
		}
		if opts.NoWebhooks {
			delete(cfg.Queues, QueueWebhooks)
		}
		cfg.Workers = h.register()
		cfg.PeriodicJobs = h.periodicJobs()
	}
	client, err := river.NewClient(driver(db, opts.Engine), cfg)
	if err != nil {
		return nil, fmt.Errorf("create queue client: %w", err)
	}
	return &Queue{client: client, db: db, engine: opts.Engine, logger: opts.Logger, orphanAfter: orphanAfter, orphanSweep: orphanSweep}, nil
}

// Start begins working jobs; it returns at once. ctx bounds the start
// only: cancelling it later (a signal) neither stops the queue nor cancels
// a running job; Stop does. On SQLite, where one process owns the database
// and its queue, jobs a crashed process left running are made available
// again first, since nothing else can be working them. On both engines a
// sweep then recovers jobs left running by a dead instance (see rescue.go).
func (q *Queue) Start(ctx context.Context) error {
	if q.engine == "sqlite" {
		if _, err := q.recoverOrphans(ctx, time.Now().Add(time.Hour)); err != nil {
			return err
		}
	}
	sweepCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.stopSweep = cancel
	go q.sweepOrphans(sweepCtx)
	// River treats the cancellation of its start context as StopAndCancel:
	// a SIGTERM would cut every running job short (a webhook attempt to a
	// slow receiver, a mail half sent) instead of letting it finish within
	// the shutdown timeout.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones, which keep an
// uncancelled context and record their outcome, until ctx is done. Then it
// cancels what is still running and waits up to 5 seconds more for those
// jobs to give up; a job cut short this way is not lost: it is retried
// (by the next process, or, left running by a process that could not record
// it, made available again by the sweep). It returns an error only when the
// queue could not be stopped at all.
func (q *Queue) Stop(ctx context.Context) error {
	if q.stopSweep != nil {
		q.stopSweep()
	}
	if err := q.client.Stop(ctx); err == nil {
		return nil
	}
	if q.logger != nil {
		q.logger.Warn("shutdown timeout passed with jobs still running: cancelling them; they run again after the restart")
	}
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := q.client.StopAndCancel(cancelCtx); err != nil {
		return fmt.Errorf("stop queue: %w", err)
	}
	return nil
}

// Depth returns how many jobs wait to run (available, scheduled or retryable).
func (q *Queue) Depth(ctx context.Context) (int64, error) {
	var n int64
	err := q.db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("queue depth: %w", err)
	}
	return n, nil
}

func (q *Queue) insert(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	// A job due now is inserted available, not scheduled: River's scheduler
	// promotes scheduled jobs only every few seconds.
	if !opts.ScheduledAt.After(time.Now()) {
		opts.ScheduledAt = time.Time{}
	}
	if _, err := q.client.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

var uniqueWhileQueued = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled,
}}

// cappedRetry retries a failed (or rescued) job after 2^attempt seconds,
// at most a minute, with jitter. River's default grows as attempt^4, which
// after a few crashes in a row would park interrupted work for many minutes.
// Handlers that want a longer schedule (webhook deliveries) keep their own.
type cappedRetry struct{}

func (cappedRetry) NextRetry(job *rivertype.JobRow) time.Time {
	d := time.Duration(1<<min(max(job.Attempt, 1), 6)) * time.Second
	d = min(d, time.Minute)
	d += time.Duration(rand.Int64N(int64(d/4) + 1))
	return time.Now().Add(d)
}
