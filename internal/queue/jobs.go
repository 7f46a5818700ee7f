package queue

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Handlers are the functions that do the work of each job kind. A handler
// returning an error is retried with backoff; it must be idempotent, since a
// crash can run a job twice.
type Handlers struct {
	// PollTracking refreshes one tracking from its carrier.
	PollTracking func(ctx context.Context, orgID int64, trackingID string, due time.Time) error
	// DeliverWebhook makes one attempt at a webhook delivery.
	DeliverWebhook func(ctx context.Context, orgID, deliveryID int64, attempt int) error
	// SendNotification makes one attempt at a customer notification.
	SendNotification func(ctx context.Context, orgID, notificationID int64, attempt int) error
	// ExpireTrackings sweeps trackings with no news; it runs periodically.
	ExpireTrackings func(ctx context.Context) error
	// ExpireEvery is the sweep's period; one hour when zero.
	ExpireEvery time.Duration
	// SweepPendingTime sends tracking_pending_time events; it runs
	// periodically.
	SweepPendingTime func(ctx context.Context) error
	// PendingTimeEvery is that sweep's period; ten minutes when zero.
	PendingTimeEvery time.Duration
	// OnportFetch imports one resource of an Onport connection.
	OnportFetch func(ctx context.Context, orgID int64, connectionID, kind string, remoteID int64) error
	// OnportWrite makes one write to an Onport connection's account.
	OnportWrite func(ctx context.Context, orgID int64, connectionID, method, path, body string) error
	// ExpireReturns sweeps approved returns not shipped in time; it runs
	// periodically, every ExpireReturnsEvery (one hour when zero).
	ExpireReturns      func(ctx context.Context) error
	ExpireReturnsEvery time.Duration
	// LegacyReturnEmail handles the send_return_email jobs that earlier
	// releases queued for a return's change (the event eventID); none
	// are queued any more, but those still waiting after an upgrade must
	// still be sent.
	LegacyReturnEmail func(ctx context.Context, orgID int64, eventID string) error
}

// sendReturnEmailArgs are the arguments of the send_return_email jobs of
// earlier releases; the kind is only worked, never inserted.
type sendReturnEmailArgs struct {
	OrgID    int64  `json:"org_id"`
	ReturnID int64  `json:"return_id"`
	EventID  string `json:"event_id"`
}

func (sendReturnEmailArgs) Kind() string { return "send_return_email" }

type expireReturnsArgs struct{}

func (expireReturnsArgs) Kind() string { return "expire_returns" }

type pollTrackingArgs struct {
	OrgID      int64  `json:"org_id" river:"unique"`
	TrackingID string `json:"tracking_id" river:"unique"`
	DueMicros  int64  `json:"due" river:"unique"`
}

func (pollTrackingArgs) Kind() string { return "poll_tracking" }

// EnqueuePoll schedules a poll of a tracking at the given time, inside tx.
// The same poll (tracking and time) is queued once; the handler receives the
// time so that it can ignore a poll the tracking no longer expects.
func (q *Queue) EnqueuePoll(ctx context.Context, tx *sql.Tx, orgID int64, trackingID string, at time.Time, priority int) error {
	return q.insert(ctx, tx, pollTrackingArgs{OrgID: orgID, TrackingID: trackingID, DueMicros: at.UnixMicro()}, pollOpts(at, priority))
}

func pollOpts(at time.Time, priority int) *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: at, Priority: priority, UniqueOpts: uniqueWhileQueued, MaxAttempts: 10}
}

// EnqueuePollBatch is EnqueuePoll for many polls at once, inside tx, in
// one batched insert (a statement for all on PostgreSQL, a prepared
// single-row one each on SQLite): what a batch of creates or an import's
// new trackings queue. Unlike EnqueuePolls (seeding), a poll already
// queued (the same tracking and time), or twice in polls, is queued once
// and is no error. The rows are River's own (polls_sqlite.go,
// polls_postgres.go), written without River's client: its batched insert
// was most of a create's job cost on either engine.
func (q *Queue) EnqueuePollBatch(ctx context.Context, tx *sql.Tx, polls []Poll, priority int) error {
	if len(polls) == 0 {
		return nil
	}
	now := time.Now()
	if q.engine == "sqlite" {
		// A poll twice in the batch is skipped by the statement's ON
		// CONFLICT like one queued before.
		return insertPollsSQLite(ctx, tx, polls, priority, now)
	}
	unique := make([]Poll, 0, len(polls))
	seen := make(map[Poll]bool, len(polls))
	for _, p := range polls {
		p.Due = time.UnixMicro(p.Due.UnixMicro()) // the job's time, as its key has it
		if !seen[p] {
			seen[p] = true
			unique = append(unique, p)
		}
	}
	return insertPollsPostgres(ctx, tx, unique, priority, now)
}

type deliverWebhookArgs struct {
	OrgID      int64 `json:"org_id" river:"unique"`
	DeliveryID int64 `json:"delivery_id" river:"unique"`
	Attempt    int   `json:"attempt" river:"unique"`
}

func (deliverWebhookArgs) Kind() string { return "deliver_webhook" }

// EnqueueDelivery schedules attempt number attempt (1-based) of a webhook
// delivery at the given time, inside tx. Each attempt is its own job, so the
// retry schedule (with jitter and Retry-After) is the webhook package's, not
// the queue's.
func (q *Queue) EnqueueDelivery(ctx context.Context, tx *sql.Tx, orgID, deliveryID int64, attempt int, at time.Time) error {
	return q.insert(ctx, tx, deliverWebhookArgs{OrgID: orgID, DeliveryID: deliveryID, Attempt: attempt},
		&river.InsertOpts{Queue: QueueWebhooks, ScheduledAt: at, Priority: PriorityNew, UniqueOpts: uniqueWhileQueued, MaxAttempts: 25})
}

// EnqueueDeliveries schedules the first attempt of each delivery at the
// given time, inside tx, with one insert: an event's deliveries to all its
// endpoints are queued together.
func (q *Queue) EnqueueDeliveries(ctx context.Context, tx *sql.Tx, orgID int64, deliveryIDs []int64, at time.Time) error {
	opts := &river.InsertOpts{Queue: QueueWebhooks, ScheduledAt: at, Priority: PriorityNew, UniqueOpts: uniqueWhileQueued, MaxAttempts: 25}
	if !opts.ScheduledAt.After(time.Now()) {
		opts.ScheduledAt = time.Time{} // see insert
	}
	params := make([]river.InsertManyParams, len(deliveryIDs))
	for i, id := range deliveryIDs {
		params[i] = river.InsertManyParams{Args: deliverWebhookArgs{OrgID: orgID, DeliveryID: id, Attempt: 1}, InsertOpts: opts}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d deliveries: %w", len(deliveryIDs), err)
	}
	return nil
}

type sendNotificationArgs struct {
	OrgID          int64 `json:"org_id" river:"unique"`
	NotificationID int64 `json:"notification_id" river:"unique"`
	Attempt        int   `json:"attempt" river:"unique"`
}

func (sendNotificationArgs) Kind() string { return "send_notification" }

// EnqueueNotification schedules attempt number attempt (1-based) of a
// customer notification at the given time, inside tx. Like webhook
// deliveries, each attempt is its own job on its own queue, so a slow mail
// server holds up neither polls nor webhooks, and the retry schedule is the
// notify package's.
func (q *Queue) EnqueueNotification(ctx context.Context, tx *sql.Tx, orgID, notificationID int64, attempt int, at time.Time) error {
	return q.insert(ctx, tx, sendNotificationArgs{OrgID: orgID, NotificationID: notificationID, Attempt: attempt},
		&river.InsertOpts{Queue: QueueNotifications, ScheduledAt: at, Priority: PriorityNew, UniqueOpts: uniqueWhileQueued, MaxAttempts: 25})
}

type onportFetchArgs struct {
	OrgID        int64  `json:"org_id" river:"unique"`
	ConnectionID string `json:"connection_id" river:"unique"`
	Resource     string `json:"kind" river:"unique"`
	RemoteID     int64  `json:"remote_id" river:"unique"`
	Key          string `json:"key" river:"unique"`
}

func (onportFetchArgs) Kind() string { return "onport_fetch" }

// EnqueueOnportFetch queues the import of one Onport resource inside tx.
// key names the webhook that asked for it, so each distinct webhook gets
// its own job, and the same one is queued once.
func (q *Queue) EnqueueOnportFetch(ctx context.Context, tx *sql.Tx, orgID int64, connectionID, kind string, remoteID int64, key string) error {
	return q.insert(ctx, tx, onportFetchArgs{OrgID: orgID, ConnectionID: connectionID, Resource: kind, RemoteID: remoteID, Key: key},
		&river.InsertOpts{Queue: QueueOnport, Priority: PriorityNew, UniqueOpts: uniqueWhileQueued, MaxAttempts: 25})
}

type onportWriteArgs struct {
	OrgID        int64  `json:"org_id" river:"unique"`
	ConnectionID string `json:"connection_id" river:"unique"`
	Method       string `json:"method" river:"unique"`
	Path         string `json:"path" river:"unique"`
	Body         string `json:"body" river:"unique"`
}

func (onportWriteArgs) Kind() string { return "onport_write" }

// EnqueueOnportWrite queues one write to an Onport connection inside tx.
func (q *Queue) EnqueueOnportWrite(ctx context.Context, tx *sql.Tx, orgID int64, connectionID, method, path, body string) error {
	return q.insert(ctx, tx, onportWriteArgs{OrgID: orgID, ConnectionID: connectionID, Method: method, Path: path, Body: body},
		&river.InsertOpts{Queue: QueueOnport, Priority: PriorityNew, UniqueOpts: uniqueWhileQueued, MaxAttempts: 25})
}

type expireTrackingsArgs struct{}

func (expireTrackingsArgs) Kind() string { return "expire_trackings" }

func (h Handlers) register() *river.Workers {
	w := river.NewWorkers()
	if h.PollTracking != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[pollTrackingArgs]) error {
			return h.PollTracking(ctx, j.Args.OrgID, j.Args.TrackingID, time.UnixMicro(j.Args.DueMicros).UTC())
		}))
	}
	if h.DeliverWebhook != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[deliverWebhookArgs]) error {
			return h.DeliverWebhook(ctx, j.Args.OrgID, j.Args.DeliveryID, j.Args.Attempt)
		}))
	}
	if h.SendNotification != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[sendNotificationArgs]) error {
			return h.SendNotification(ctx, j.Args.OrgID, j.Args.NotificationID, j.Args.Attempt)
		}))
	}
	if h.OnportFetch != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[onportFetchArgs]) error {
			return h.OnportFetch(ctx, j.Args.OrgID, j.Args.ConnectionID, j.Args.Resource, j.Args.RemoteID)
		}))
	}
	if h.OnportWrite != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[onportWriteArgs]) error {
			return h.OnportWrite(ctx, j.Args.OrgID, j.Args.ConnectionID, j.Args.Method, j.Args.Path, j.Args.Body)
		}))
	}
	if h.ExpireTrackings != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[expireTrackingsArgs]) error {
			return h.ExpireTrackings(ctx)
		}))
	}
	if h.SweepPendingTime != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[sweepPendingTimeArgs]) error {
			return h.SweepPendingTime(ctx)
		}))
	}
	if h.LegacyReturnEmail != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[sendReturnEmailArgs]) error {
			return h.LegacyReturnEmail(ctx, j.Args.OrgID, j.Args.EventID)
		}))
	}
	if h.ExpireReturns != nil {
		river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[expireReturnsArgs]) error {
			return h.ExpireReturns(ctx)
		}))
	}
	return w
}

type sweepPendingTimeArgs struct{}

func (sweepPendingTimeArgs) Kind() string { return "sweep_pending_time" }

func (h Handlers) periodicJobs() []*river.PeriodicJob {
	var jobs []*river.PeriodicJob
	if h.ExpireTrackings != nil {
		every := h.ExpireEvery
		if every <= 0 {
			every = time.Hour
		}
		jobs = append(jobs, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return expireTrackingsArgs{}, &river.InsertOpts{Priority: PriorityBulk}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	if h.SweepPendingTime != nil {
		every := h.PendingTimeEvery
		if every <= 0 {
			every = 10 * time.Minute
		}
		jobs = append(jobs, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return sweepPendingTimeArgs{}, &river.InsertOpts{Queue: QueueWebhooks, Priority: PriorityBulk}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	if h.ExpireReturns != nil {
		every := h.ExpireReturnsEvery
		if every <= 0 {
			every = time.Hour
		}
		jobs = append(jobs, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return expireReturnsArgs{}, &river.InsertOpts{Priority: PriorityBulk}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	return jobs
}

// Snooze returns an error that, returned by a handler, runs the same job
// again after d without counting an attempt.
func Snooze(d time.Duration) error { return river.JobSnooze(d) }
