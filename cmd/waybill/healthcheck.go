package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/config"
)

const healthcheckUsage = `usage: waybill healthcheck [--url URL] [--ready] [--timeout D]

Ask a running Waybill whether it is alive (GET /healthz) or, with --ready,
ready (GET /readyz: database reachable and migrated). Exit 0 on 200, 1
otherwise. For container health checks, where the image has no curl. The
default URL is this host's WAYBILL_ADDR: http://127.0.0.1:PORT.`

func healthcheckCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	cl := newCmdLine("healthcheck", healthcheckUsage, stdout, stderr)
	base := cl.fs.String("url", localURL(cfg.Addr), "base URL of the Waybill to ask")
	ready := cl.fs.Bool("ready", false, "ask /readyz instead of /healthz")
	timeout := cl.fs.Duration("timeout", 5*time.Second, "give up after this long")
	if _, err := cl.parse(args, 0, 0); err != nil {
		return err
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	target := strings.TrimRight(*base, "/") + path
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", target, res.Status)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", target, res.Status)
	return err
}

// localURL is how a process on the same host reaches a server listening
// on addr: its port on loopback for an address on every interface.
func localURL(addr string) string {
	u := config.PublicURLFor(addr)
	return strings.Replace(u, "//localhost:", "//127.0.0.1:", 1)
}
