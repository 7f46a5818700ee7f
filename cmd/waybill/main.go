// Command waybill runs the Waybill server and its administrative commands.
//
//	waybill serve                 run the HTTP server and the workers
//	waybill migrate               bring the database schema up to date
//	waybill org create NAME       create an organization and print its first API key
//	waybill key create --org NAME print a new API key for an organization
//	waybill detect [NUMBER ...]   detect couriers of tracking numbers (or stdin)
//	waybill config                print the effective configuration, secrets masked
//	waybill bench ...             load-test a running Waybill
//
// main only wires: it builds the concrete parts and hands them to each other.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "waybill:", err)
		os.Exit(1)
	}
}

const usage = `usage: waybill <command> [arguments]

commands:
  serve                  run the HTTP server and the background workers
  migrate                bring the database schema up to date and exit
  org create NAME        create an organization; prints {"org": ..., "api_key": ...}
  key create --org NAME  create another API key for an organization
  detect [NUMBER ...]    print the candidate couriers of each number (args or stdin)
  config                 print the effective configuration, secrets masked
  bench ...              load-test a running Waybill (see docs/BENCHMARKS.md)

Settings come from WAYBILL_* environment variables; see the README.`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "migrate":
		return migrate(ctx, args[1:])
	case "org":
		return orgCommand(ctx, args[1:], stdout)
	case "key":
		return keyCommand(ctx, args[1:], stdout)
	case "detect":
		return runDetect(args[1:], stdin, stdout)
	case "config":
		return configCommand(stdout)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
