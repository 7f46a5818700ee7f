package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"golang.org/x/time/rate"

	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/aftership"
	trackerapi "github.com/waybillhq/waybill/internal/api/tracker"
	"github.com/waybillhq/waybill/internal/api/unsubscribe"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/edd"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/onportlink"
	"github.com/waybillhq/waybill/internal/openapi"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/trackers"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/web"
	"github.com/waybillhq/waybill/internal/webhook"
)

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the database (our schema and the queue's).
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine())); err != nil {
		st.Close()
		return nil, err
	}
	st.SetReadBatchLoops(cfg.ReadBatchLoops)
	return st, nil
}

// Portal lookups per client address: a burst of 10, then one every 6 s.
const (
	lookupBurst = 10
	lookupEvery = 6 * time.Second
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	publicURLGiven, err := parseServeFlags(&cfg, args, stdout, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	// Bind first: links (pages, mails, webhooks) are made from the address
	// bound, so WAYBILL_ADDR=127.0.0.1:0 gives the port the system chose,
	// not ":0". The listener queues connections until the server starts.
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer l.Close() // on every early return; a second Close after Serve is harmless
	if !publicURLGiven {
		cfg.PublicURL = config.PublicURLFor(l.Addr().String())
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	tenants := &tenant.Service{Store: st}
	if cfg.BootstrapAPIKey != "" {
		if _, err := tenants.Bootstrap(ctx, "default", cfg.BootstrapAPIKey); err != nil {
			return fmt.Errorf("bootstrap organization: %w", err)
		}
	}
	if err := logFirstStart(ctx, tenants, cfg, logger); err != nil {
		return err
	}

	schedule := webhook.DefaultSchedule
	if cfg.WebhookRetrySchedule != "" {
		if schedule, err = webhook.ParseSchedule(cfg.WebhookRetrySchedule); err != nil {
			return fmt.Errorf("WAYBILL_WEBHOOK_RETRY_SCHEDULE: %w", err)
		}
	}
	carriers := newCarriers(cfg)
	rates, err := cfg.Rates()
	if err != nil {
		return err
	}

	webhooks := &webhook.Service{Store: st, AllowPrivate: cfg.WebhookAllowPrivate}
	notifier, err := newNotifier(cfg, st, webhooks, logger.With("component", "notify"))
	if err != nil {
		return err
	}
	secrets, err := cfg.SecretBox()
	if err != nil {
		return err
	}
	// The Onport connector hears tracking changes after webhooks and
	// notifications (its write-back is a job in the same transaction).
	connector := &onportlink.Service{Store: st, Box: secrets, Throttle: onportlink.NewThrottle(), HTTP: onportlink.NewHTTPClient(cfg.WebhookAllowPrivate),
		PublicURL: cfg.PublicURL, Snooze: queue.Snooze, Logger: logger.With("component", "onport-connector")}
	// A return's changes reach webhooks, then the shopper's email (a
	// notification), in the transaction of the change.
	returnsSvc := &returns.Service{Store: st, Events: notifier.After(webhooks)}
	trackings := &tracking.Service{Store: st, Carriers: carriers, SandboxStep: cfg.SandboxStep,
		Secrets: secrets, Logger: logger.With("component", "poll"), PollScale: cfg.PollScale, Rates: rates}
	// Creates and polls commit together where the engine gains from it
	// (SQLite: one fsync for many); the store decides.
	if gc := store.GroupCommitterFor(st); gc != nil {
		trackings.GroupCommit = gc
		commitsCtx, stopCommits := context.WithCancel(context.WithoutCancel(ctx))
		commitsDone := make(chan struct{})
		go func() { gc.Run(commitsCtx); close(commitsDone) }()
		defer func() { stopCommits(); <-commitsDone; logCommits(logger, "shared", gc) }()
	} else {
		// On PostgreSQL only creates gain: they are batched writes, a
		// multi-row insert for many (tracking.Service.CreateCommit). Two
		// loops: the next batch runs while one waits for its WAL flush.
		creates := store.NewGroupCommitter(st)
		creates.Loops = 2
		trackings.CreateCommit = creates
		createsCtx, stopCreates := context.WithCancel(context.WithoutCancel(ctx))
		createsDone := make(chan struct{})
		go func() { creates.Run(createsCtx); close(createsDone) }()
		defer func() { stopCreates(); <-createsDone; logCommits(logger, "creates", creates) }()
	}
	// Webhook attempt records are group-committed on either engine: a
	// record is an item of a batched write, with no statement of its own
	// before the batch's (webhook/record.go), so unlike creates it gains
	// on PostgreSQL too. There the committer is the records' alone.
	// The queue and the deliveries' reads and records go through the
	// store's handle for workers: on PostgreSQL a pool apart from the
	// requests', so that neither waits for the other's connections.
	workers := st.ForWorkers()
	recordCommits := trackings.GroupCommit
	if recordCommits == nil {
		recordCommits = store.NewGroupCommitter(workers)
		recordsCtx, stopRecords := context.WithCancel(context.WithoutCancel(ctx))
		recordsDone := make(chan struct{})
		go func() { recordCommits.Run(recordsCtx); close(recordsDone) }()
		defer func() { stopRecords(); <-recordsDone }()
	}
	if st.Engine() == store.Postgres {
		// Instances may share this database: they keep carrier budgets
		// and pauses there, so N of them stay within one connection's rate.
		trackings.SharedBudgets = st
	}
	returnsSvc.Trackings = trackings
	// A tracker (the Tracker API) is a tracking with order context: its
	// status follows the tracking's events, and a group's customer hears
	// each status once, so tracking events pass through the tracker core
	// on their way to webhooks and notifications. Then the return whose
	// parcel the tracking is follows it, in the same transaction.
	trackerCore := &trackers.Service{Store: st, Trackings: trackings, Webhooks: webhooks}
	trackings.Dispatcher = returnsSvc.After(connector.After(trackerCore.Dispatcher(webhooks, notifier)))
	// Stored carrier credentials need the key they were sealed with:
	// refuse to start without it rather than fail every poll.
	if resealed, err := trackings.CheckStoredCredentials(ctx); err != nil {
		return err
	} else if resealed > 0 {
		logger.Info("sealed courier credentials again with the current WAYBILL_SECRET_KEY", "connections", resealed)
	}
	onportParts := newOnport(cfg, st, tenants, trackings, webhooks, logger)
	connector.Commerce, connector.Trackings = onportParts.Commerce, trackings
	deliverer := &webhook.Deliverer{
		Service: webhooks, Renderer: webhookPayloads{AfterShip: aftership.Payloads{PublicURL: cfg.PublicURL}, Onport: onportParts.Payloads,
			Tracker: trackerapi.Payloads{PublicURL: cfg.PublicURL}},
		Schedule: schedule, Snooze: queue.Snooze, GroupCommit: recordCommits, Store: workers,
		Logger: logger.With("component", "webhooks"),
		Client: webhook.NewClient(webhook.ClientOptions{TotalTimeout: cfg.WebhookTimeout, AllowPrivate: cfg.WebhookAllowPrivate,
			IdleConns: max(cfg.WebhookWorkers, webhook.DefaultIdleConns)}),
	}
	q, err := queue.New(workers.Writer(), queue.Options{
		Engine: st.Engine(), Workers: cfg.Workers, WebhookWorkers: cfg.WebhookWorkers,
		Logger: logger.With("component", "queue"), Work: true, Lease: cfg.ClaimLease, NoWebhooks: cfg.WebhookWorkers == 0,
	}, queue.Handlers{
		PollTracking:      trackings.Poll,
		DeliverWebhook:    deliverer.Deliver,
		SendNotification:  notifier.Send,
		ExpireTrackings:   func(ctx context.Context) error { _, err := trackings.ExpireStale(ctx); return err },
		SweepPendingTime:  func(ctx context.Context) error { _, err := webhooks.SweepPendingTime(ctx); return err },
		OnportFetch:       connector.Fetch,
		OnportWrite:       connector.Write,
		ExpireReturns:     func(ctx context.Context) error { _, err := returnsSvc.ExpireStale(ctx); return err },
		LegacyReturnEmail: notifier.DispatchStoredReturnEvent,
	})
	if err != nil {
		return err
	}
	trackings.Queue, webhooks.Queue, notifier.Queue, connector.Queue = q, q, q, q
	// Every poll is claimed from its tracking's row rather than carried by
	// a job, whose insert was a tenth of a create's cost and whose
	// promotion when due took River seconds at a million trackings (see
	// tracking.PollClaims). Poll jobs still queued (from before migration
	// 00026, an import's first polls, an older instance beside this one)
	// are moved into the rows at start or worked by the queue's handler.
	trackings.ClaimPolls = true
	firstPolls := &tracking.PollClaims{Service: trackings, Workers: cfg.Workers, Lease: cfg.ClaimLease, Logger: logger.With("component", "poll"), Jobs: q}
	// First attempts are claimed from the deliveries table rather than
	// carried by jobs, whose insert, fetch and completion cost the
	// database several times the delivery's own rows (see
	// webhook.FirstAttempts), and mostly handed straight from the push's
	// commit to a worker (webhook/handoff.go); retries stay jobs.
	webhooks.ClaimFirstAttempts = true
	// On SQLite this process alone works the file: what its predecessor
	// claimed and did not record is released at start.
	firstAttempts := &webhook.FirstAttempts{Deliverer: deliverer, Workers: cfg.WebhookWorkers, Lease: cfg.ClaimLease,
		ReleaseAtStart: st.Engine() == store.SQLite, Logger: logger.With("component", "webhooks")}

	// One budget of failed authentications per client address, for every face.
	authThrottle := httpserver.NewAuthThrottle(cfg.AuthFailuresPerMinute, nil)
	limits := aftership.NewRateLimiter(cfg.RateLimitScale)
	lookups := httpserver.NewClientLimits(rate.Every(lookupEvery), lookupBurst)
	if cfg.RedisURL != "" {
		// Instances sharing this Redis share every API budget.
		shared, err := sharedLimits(ctx, cfg.RedisURL, logger)
		if err != nil {
			return err
		}
		defer shared.Close()
		limits.Shared, onportParts.API.Throttle.Shared = shared, shared
		authThrottle.Share(shared)
		lookups.Share(shared, "portal-lookups")
	}
	api := &aftership.API{
		Trackings: trackings, Auth: tenants, Limits: limits,
		LegacyRate: cfg.RateLimitLegacy, MaxBodyBytes: cfg.MaxBodyBytes, PublicURL: cfg.PublicURL,
		Logger: logger.With("face", "aftership"), AuthThrottle: authThrottle,
		EDD: &edd.Service{Store: st},
	}
	pages := &portal.Service{Store: st}
	adminAPI := &admin.API{Checkpoints: trackings, Webhooks: webhooks, Channels: onportParts.Commerce,
		Logs: inbound.Logs{Store: st}, Organizations: pages, Notifications: notifier, Trackers: trackerCore, Imports: trackings, Returns: returnsSvc, Auth: tenants, MaxBodyBytes: cfg.MaxBodyBytes,
		Logger: logger.With("face", "admin"), AuthThrottle: authThrottle, Onport: connector}
	onportParts.API.AuthThrottle = authThrottle
	adminAPI.Couriers = trackings
	trackerAPI := &trackerapi.API{Trackers: trackerCore, Auth: tenants, MaxBodyBytes: cfg.MaxBodyBytes, PublicURL: cfg.PublicURL,
		Logger: logger.With("face", "tracker"), AuthThrottle: authThrottle}
	webFace := &web.Web{Pages: pages, Returns: returnsSvc, Logger: logger.With("face", "web"), Lookups: lookups}
	srv := httpserver.New(cfg.Addr, logger, httpserver.Checks{
		Ready: func(ctx context.Context) error {
			if ok, err := st.Migrated(ctx); err != nil || !ok {
				return errors.Join(errors.New("database not migrated"), err)
			}
			return st.Ping(ctx)
		},
		QueueDepth:     q.Depth,
		InboundPending: st.Read().CountPendingInbound,
		ReadBatches: func() (int64, int64) {
			s := st.ReadBatchStats()
			return s.Keys, s.Batches
		},
	}, api, adminAPI, onportParts.API, trackerAPI, webFace, openapi.Face{}, &unsubscribe.Face{Subscriptions: notifier, Logger: logger.With("face", "unsubscribe")})

	// Before the workers start and /readyz can answer: the first requests
	// and deliveries find their database connections open and warm.
	warmDatabase(ctx, st, cfg.DatabaseWarmup, logger)
	if err := q.Start(ctx); err != nil {
		return err
	}
	claimsCtx, stopClaims := context.WithCancel(context.WithoutCancel(ctx))
	claimWork, stopClaimWork := context.WithCancel(context.WithoutCancel(ctx))
	claimsDone := make(chan struct{})
	if cfg.WebhookWorkers > 0 {
		go func() { firstAttempts.Run(claimsCtx, claimWork); close(claimsDone) }()
	} else {
		// WAYBILL_WEBHOOK_WORKERS=0: no first attempt here, and no hand-off,
		// so this process's pushes insert their deliveries claimable at once
		// by another process, or by this one restarted with workers.
		close(claimsDone)
	}
	firstPollsDone := make(chan struct{})
	go func() { firstPolls.Run(claimsCtx, claimWork); close(firstPollsDone) }()
	defer func() { stopClaims(); stopClaimWork(); <-claimsDone; <-firstPollsDone }()
	// The Onport ingester and processor stop only after the server has
	// drained, so every in-flight asynchronous request gets its commit;
	// inbound turns then in progress finish under onportWork, cancelled
	// only when the shutdown timeout passes.
	onportCtx, stopOnport := context.WithCancel(context.WithoutCancel(ctx))
	onportWork, stopOnportWork := context.WithCancel(context.WithoutCancel(ctx))
	onportDone := make(chan struct{})
	go func() { onportParts.Run(onportCtx, onportWork); close(onportDone) }()
	defer func() { stopOnport(); stopOnportWork(); <-onportDone }()
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	logger.Info("waybill serving", "addr", l.Addr().String(), "engine", st.Engine(), "public_url", cfg.PublicURL,
		"start_ms", time.Since(started).Milliseconds())
	if path := os.Getenv("WAYBILL_ADDR_FILE"); path != "" {
		// Tests and scripts that listen on :0 learn the port here.
		if err := os.WriteFile(path, []byte(l.Addr().String()), 0o600); err != nil {
			return fmt.Errorf("write WAYBILL_ADDR_FILE: %w", err)
		}
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	// SIGTERM: stop intake (the listener, job fetching) at once, and give
	// requests, running jobs (webhook attempts, notifications) and inbound
	// turns until the shutdown timeout to finish and record their outcome.
	// What is still running then is cancelled and done again after the
	// restart.
	logger.Info("shutting down: finishing in-flight requests and jobs", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	queueStopped := make(chan error, 1)
	go func() { queueStopped <- q.Stop(shutdownCtx) }()
	stopClaims()
	context.AfterFunc(shutdownCtx, stopOnportWork)
	context.AfterFunc(shutdownCtx, stopClaimWork)
	err = srv.Shutdown(shutdownCtx)
	stopOnport()
	<-onportDone
	err = errors.Join(err, <-queueStopped)
	<-claimsDone
	<-firstPollsDone
	// Cut short (claimWork) once the timeout passed, like the queue's
	// jobs; a poll cut short is claimable again 5 s later.
	_ = firstPolls.Wait(context.Background())
	// Cut short (claimWork) once the timeout passed, like the queue's
	// jobs; what they tried is still recorded before the exit.
	_ = firstAttempts.Wait(context.Background())
	if err == nil {
		logger.Info("stopped cleanly")
	}
	return err
}
