package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
)

const orgUsage = `usage: waybill org <subcommand> [arguments]

subcommands:
  list         list the organizations with their number of API keys
  create NAME  create an organization and print its first API key (JSON)
  show NAME    show an organization, its keys (prefixes) and activated couriers

Each takes --database-url (default: WAYBILL_DATABASE_URL) and works while
servers run on the same database.`

// orgCommand runs `waybill org list|create|show`.
func orgCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return subcommand("org", orgUsage, args, stdout, stderr, map[string]func([]string) error{
		"list":   func(args []string) error { return orgList(ctx, args, stdout, stderr) },
		"create": func(args []string) error { return orgCreate(ctx, args, stdout, stderr) },
		"show":   func(args []string) error { return orgShow(ctx, args, stdout, stderr) },
	})
}

// withTenants parses a database command's line and opens (and migrates) its
// database; close the returned store when done.
func withTenants(ctx context.Context, cl *cmdLine, args []string, minArgs, maxArgs int) ([]string, *store.Store, *tenant.Service, error) {
	cfg, err := config.LoadEnv()
	if err != nil {
		return nil, nil, nil, err
	}
	cl.databaseFlag(&cfg)
	operands, err := cl.parse(args, minArgs, maxArgs)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	return operands, st, &tenant.Service{Store: st}, nil
}

const orgListUsage = `usage: waybill org list [--database-url URL]

List every organization: id, name, creation time and number of API keys.`

func orgList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, st, tenants, err := withTenants(ctx, newCmdLine("org list", orgListUsage, stdout, stderr), args, 0, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	orgs, err := tenants.ListOrgs(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tKEYS")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", o.ID, o.Name, o.CreatedAt.Format(time.RFC3339), o.Keys)
	}
	return tw.Flush()
}

const orgCreateUsage = `usage: waybill org create [--database-url URL] NAME

Create the organization NAME with every courier activated and a first API
key, and print {"org": ..., "api_key": ...}. The key is shown only now;
Waybill keeps its hash.`

func orgCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	operands, st, tenants, err := withTenants(ctx, newCmdLine("org create", orgCreateUsage, stdout, stderr), args, 1, 1)
	if err != nil {
		return err
	}
	defer st.Close()
	org, key, err := tenants.CreateOrg(ctx, operands[0])
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"org": org, "api_key": key})
}

const orgShowUsage = `usage: waybill org show [--database-url URL] NAME

Show the organization NAME: its id, creation time, API keys (their
prefixes; the keys themselves are never stored) and activated couriers.`

func orgShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	operands, st, tenants, err := withTenants(ctx, newCmdLine("org show", orgShowUsage, stdout, stderr), args, 1, 1)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := tenants.Org(ctx, operands[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "id:        %d\nname:      %s\ncreated:   %s\n", d.ID, d.Name, d.CreatedAt.Format(time.RFC3339))
	if len(d.Couriers) == 0 {
		fmt.Fprintf(stdout, "couriers:  all %d activated\n", len(courier.All()))
	} else {
		fmt.Fprintf(stdout, "couriers:  %d activated (%s)\n", len(d.Couriers), abbreviate(d.Couriers, 8))
	}
	fmt.Fprintf(stdout, "api keys:  %d\n", len(d.Keys))
	return printKeys(stdout, d.Keys)
}

// abbreviate joins the first n items and says how many more there are.
func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
