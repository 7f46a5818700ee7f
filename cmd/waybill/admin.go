package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/tenant"
)

func configCommand(stdout io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, strings.Join(cfg.Dump(), "\n"))
	return err
}

func migrate(ctx context.Context, _ []string) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	return st.Close()
}

// orgCommand runs `waybill org create NAME`. It works while a server runs
// on the same database.
func orgCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[0] != "create" {
		return fmt.Errorf("usage: waybill org create NAME")
	}
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	org, key, err := (&tenant.Service{Store: st}).CreateOrg(ctx, args[1])
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"org": org, "api_key": key})
}

// keyCommand runs `waybill key create --org NAME`.
func keyCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 1 || args[0] != "create" {
		return fmt.Errorf("usage: waybill key create --org NAME")
	}
	fs := flag.NewFlagSet("key create", flag.ContinueOnError)
	orgName := fs.String("org", "", "organization name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *orgName == "" {
		return fmt.Errorf("usage: waybill key create --org NAME")
	}
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := (&tenant.Service{Store: st}).CreateKey(ctx, *orgName)
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"org": *orgName, "api_key": key})
}
