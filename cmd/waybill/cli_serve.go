package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/tenant"
)

const serveUsage = `usage: waybill serve [--addr ADDR] [--database-url URL] [--public-url URL] [--claim-lease DURATION]

Run the HTTP server and the background workers until SIGINT or SIGTERM.
Every other setting comes from the WAYBILL_* variables (see 'waybill config'
and the README). Without WAYBILL_PUBLIC_URL or --public-url, links use the
listen address (--addr 127.0.0.1:18182 gives http://127.0.0.1:18182).`

// parseServeFlags applies serve's flags to cfg (whose values came from the
// environment) and validates the result. publicURLGiven says whether
// WAYBILL_PUBLIC_URL or --public-url set the links' base; when not, serve
// makes it again from the address it bound (":0" binds a port of its own).
func parseServeFlags(cfg *config.Config, args []string, stdout, stderr io.Writer) (publicURLGiven bool, err error) {
	cl := newCmdLine("serve", serveUsage, stdout, stderr)
	cl.fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (WAYBILL_ADDR)")
	cl.databaseFlag(cfg)
	cl.fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "base URL of links (WAYBILL_PUBLIC_URL)")
	cl.fs.DurationVar(&cfg.ClaimLease, "claim-lease", cfg.ClaimLease, "wait before another process takes up a dead one's work (WAYBILL_CLAIM_LEASE)")
	if _, err := cl.parse(args, 0, 0); err != nil {
		return false, err
	}
	publicURLGiven = os.Getenv("WAYBILL_PUBLIC_URL") != ""
	cl.fs.Visit(func(f *flag.Flag) { publicURLGiven = publicURLGiven || f.Name == "public-url" })
	if !publicURLGiven {
		cfg.PublicURL = config.PublicURLFor(cfg.Addr)
	}
	return publicURLGiven, cfg.Validate()
}

// logFirstStart tells the operator of a database without organizations,
// once at start, how to create one: until then every API request answers
// 401.
func logFirstStart(ctx context.Context, tenants *tenant.Service, cfg config.Config, logger *slog.Logger) error {
	has, err := tenants.HasOrgs(ctx)
	if err != nil || has {
		return err
	}
	command := "waybill org create --database-url " + shellQuote(config.Mask(cfg.DatabaseURL)) + " my-shop"
	logger.Warn("no organization yet, so every API request answers 401: run this command to create one and its API key, "+
		"or start with WAYBILL_BOOTSTRAP_API_KEY set to a key of your choice (16 characters or more)",
		"command", command)
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
