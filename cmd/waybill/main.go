// Command waybill runs the Waybill server and its administrative commands.
// `waybill help` lists them; every command answers -h/--help with its usage.
//
// main only wires: it builds the concrete parts and hands them to each other.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/waybillhq/waybill"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if msg := errorLine(err); msg != "" {
		fmt.Fprintln(os.Stderr, "waybill:", msg)
	}
	os.Exit(exitCode(err))
}

// errorLine is what main prints of err: nothing for success, help and
// usage errors (their usage is already out), a domain error's message
// ("organization nobody not found"), or the error itself.
func errorLine(err error) string {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown), errors.As(err, &ue):
		return ""
	case waybill.ErrorCode(err) != waybill.EINTERNAL:
		return waybill.ErrorMessage(err)
	}
	return err.Error()
}

const usage = `usage: waybill <command> [arguments]

commands:
  serve                      run the HTTP server and the background workers
  migrate                    bring the database schema up to date, print what was applied
  org list|create|show       list, create or show organizations
  key list|create|revoke     list, create or revoke an organization's API keys
  couriers list|activate|deactivate  choose the couriers detection considers
  detect [NUMBER ...]        print the candidate couriers of each number (args or stdin)
  config                     print the effective configuration, secrets masked
  version                    print the version and the source revision
  healthcheck                exit 0 when a running Waybill answers /healthz (containers)
  import FILE.csv            create trackings from a CSV file (AfterShip's columns)
  bench ...                  load-test a running Waybill (see docs/BENCHMARKS.md)
  onport sync                backfill an Onport connection (--org NAME --since DATE)

Run 'waybill <command> --help' for a command's arguments and flags.
Settings come from WAYBILL_* environment variables; see the README.`

// run runs the command line args. A command that answered --help returns
// nil; a usage error (exit status 2) is a usageError whose message and usage
// are already on stderr.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, args[1:], stdout, stderr)
	case "org":
		return orgCommand(ctx, args[1:], stdout, stderr)
	case "key":
		return keyCommand(ctx, args[1:], stdout, stderr)
	case "detect":
		return detectCommand(args[1:], stdin, stdout, stderr)
	case "config":
		return configCommand(args[1:], stdout, stderr)
	case "version":
		return versionCommand(args[1:], stdout, stderr)
	case "couriers":
		return couriersCommand(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheckCommand(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "import":
		return importCommand(ctx, args[1:], stdout, stderr)
	case "onport":
		return onportCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "waybill: unknown command %q\n\n%s\n", args[0], usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}
