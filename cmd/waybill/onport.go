package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/onport"
	trackerapi "github.com/waybillhq/waybill/internal/api/tracker"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/inbound"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// onportParts is the Onport face with the commerce core and the inbound
// pipeline behind it, wired from the pieces serve builds.
type onportParts struct {
	API       *onport.API
	Commerce  *commerce.Service
	Ingester  *inbound.Ingester
	Processor *inbound.Processor
	Payloads  onport.Payloads
}

// newOnport wires the Onport face. Call Run to start the group-commit
// writer and the inbound workers; they stop when ctx is done.
func newOnport(cfg config.Config, st *store.Store, tenants *tenant.Service, trackings *tracking.Service,
	webhooks *webhook.Service, logger *slog.Logger) *onportParts {
	com := &commerce.Service{Store: st, Trackings: trackings, Events: webhooks}
	proc := inbound.NewProcessor(st, com, onport.DecodeWrite, logger.With("component", "inbound"))
	proc.Workers = cfg.InboundWorkers
	ing := inbound.NewIngester(st, logger.With("component", "inbound"))
	ing.Committed = proc.Notify
	proc.Busy, proc.Preempt = ing.Busy, ing.Waiting
	api := &onport.API{Commerce: com, Inbound: ing, Auth: tenants, Throttle: onport.NewThrottle(cfg.RateLimitScale),
		MaxBodyBytes: cfg.MaxBodyBytes, PublicURL: cfg.PublicURL, Logger: logger.With("face", "onport")}
	return &onportParts{API: api, Commerce: com, Ingester: ing, Processor: proc, Payloads: onport.Payloads{PublicURL: cfg.PublicURL}}
}

// Run runs the ingester and, unless it has no workers
// (WAYBILL_INBOUND_WORKERS=0), the processor until ctx is done, and
// returns when both have stopped. Inbound turns in progress when ctx is
// done finish under work (see inbound.Processor.Run).
func (p *onportParts) Run(ctx, work context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { p.Ingester.Run(ctx) })
	if p.Processor.Workers > 0 {
		wg.Go(func() { p.Processor.Run(ctx, work) })
	}
	wg.Wait()
}

// webhookPayloads renders each event with its face's renderer: commerce
// events as Onport's, everything else as AfterShip's. serve hands it to the
// webhook deliverer.
type webhookPayloads struct {
	AfterShip interface {
		WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error)
	}
	Onport  onport.Payloads
	Tracker trackerapi.Payloads
}

// WebhookPayload implements webhook.PayloadRenderer.
func (p webhookPayloads) WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	if p.Onport.Handles(e.Type) {
		return p.Onport.WebhookPayload(e, apiVersion)
	}
	if p.Tracker.Handles(e.Type) {
		return p.Tracker.WebhookPayload(e, apiVersion)
	}
	if e.Type == waybill.EventNotificationSent || e.Type == waybill.EventNotificationFailed {
		return admin.NotificationPayload(e)
	}
	if e.Return != nil {
		return admin.ReturnPayload(e)
	}
	return p.AfterShip.WebhookPayload(e, apiVersion)
}
