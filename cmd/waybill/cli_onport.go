package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/onportlink"
	"github.com/waybillhq/waybill/internal/queue"
)

const onportUsage = `usage: waybill onport <subcommand> [arguments]

subcommands:
  sync --org NAME --since DATE  backfill an Onport connection's dropshipments

Each takes --database-url (default: WAYBILL_DATABASE_URL).`

// onportCommand runs `waybill onport sync`.
func onportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return subcommand("onport", onportUsage, args, stdout, stderr, map[string]func([]string) error{
		"sync": func(args []string) error { return onportSync(ctx, args, stdout, stderr) },
	})
}

const onportSyncUsage = `usage: waybill onport sync --org NAME --since DATE [--connection ID] [--database-url URL]

Backfill the organization's Onport connection: page through the account's
dropshipments created since DATE (2026-11-01, or RFC 3339), at most 2 GET
requests a second, and queue the import of each one with a tracking
number, as its webhook would have. A running 'waybill serve' on the same
database does the imports; each page's progress is printed here. Run it
once after connecting, for the shipments made before the webhooks were
set; running it again queues only what changed.`

func onportSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	cl := newCmdLine("onport sync", onportSyncUsage, stdout, stderr)
	org := orgFlag(cl)
	cl.required = append(cl.required, "since")
	sinceFlag := cl.fs.String("since", "", "first creation date to sync, 2026-11-01 or RFC 3339 (required)")
	connection := cl.fs.String("connection", "", "the connection's id, when the organization has several")
	cl.databaseFlag(&cfg)
	if _, err := cl.parse(args, 0, 0); err != nil {
		return err
	}
	since, err := time.Parse(time.RFC3339, *sinceFlag)
	if err != nil {
		if since, err = time.Parse("2006-01-02", *sinceFlag); err != nil {
			return cl.fail("--since %q is not a date (2026-11-01) or an RFC 3339 time", *sinceFlag)
		}
	}
	box, err := cfg.SecretBox()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := st.Read().OrgByName(ctx, *org)
	if err != nil {
		return err
	}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
	if err != nil {
		return err
	}
	svc := &onportlink.Service{Store: st, Box: box, Queue: q, Throttle: onportlink.NewThrottle(),
		HTTP: onportlink.NewHTTPClient(cfg.WebhookAllowPrivate), PublicURL: cfg.PublicURL}
	c, err := svc.ConnectionOf(ctx, o.ID, *connection)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "syncing Onport connection %s (%s): dropshipments created since %s\n", c.ID, c.APIURL, since.UTC().Format(time.RFC3339))
	p, err := svc.Sync(ctx, o.ID, c.ID, since, func(p onportlink.SyncProgress) {
		fmt.Fprintf(stdout, "page %d: %d dropshipments seen, %d queued for import\n", p.Page, p.Seen, p.Queued)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done: %d dropshipments seen, %d queued; 'waybill serve' imports them (GET /v4/trackings shows them as they arrive)\n", p.Seen, p.Queued)
	return nil
}
