package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

const configUsage = `usage: waybill config

Print the effective configuration (defaults overridden by WAYBILL_*
variables), one NAME=value a line, secrets masked. It takes no flags: set
the variables to see their effect.`

func configCommand(args []string, stdout, stderr io.Writer) error {
	if _, err := newCmdLine("config", configUsage, stdout, stderr).parse(args, 0, 0); err != nil {
		return err
	}
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, strings.Join(cfg.Dump(), "\n"))
	return err
}

const migrateUsage = `usage: waybill migrate [--database-url URL]

Bring the database schema (Waybill's and the job queue's) up to date and
print each migration applied, or that there was none. Safe to run while
other instances serve, and from several at once.`

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	cl := newCmdLine("migrate", migrateUsage, stdout, stderr)
	cl.databaseFlag(&cfg)
	if _, err := cl.parse(args, 0, 0); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	var queueApplied []string
	applied, err := st.MigrateReport(ctx, queue.MigrateReport(st.Writer(), st.Engine(), &queueApplied))
	for _, name := range append(applied, queueApplied...) {
		fmt.Fprintln(stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	if len(applied)+len(queueApplied) == 0 {
		fmt.Fprintf(stdout, "%s schema is up to date: nothing to apply\n", st.Engine())
	} else {
		fmt.Fprintf(stdout, "%s schema is up to date: %d migrations applied\n", st.Engine(), len(applied)+len(queueApplied))
	}
	return nil
}
