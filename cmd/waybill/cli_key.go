package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

const keyUsage = `usage: waybill key <subcommand> --org NAME [arguments]

subcommands:
  list --org NAME           list the organization's API keys (prefixes only)
  create --org NAME         create another API key and print it (JSON)
  revoke --org NAME PREFIX  revoke the key that starts with PREFIX, at once,
                            on every instance

Each takes --database-url (default: WAYBILL_DATABASE_URL) and works while
servers run on the same database.`

// keyCommand runs `waybill key list|create|revoke`.
func keyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return subcommand("key", keyUsage, args, stdout, stderr, map[string]func([]string) error{
		"list":   func(args []string) error { return keyList(ctx, args, stdout, stderr) },
		"create": func(args []string) error { return keyCreate(ctx, args, stdout, stderr) },
		"revoke": func(args []string) error { return keyRevoke(ctx, args, stdout, stderr) },
	})
}

// orgFlag adds the required --org flag.
func orgFlag(cl *cmdLine) *string {
	cl.required = append(cl.required, "org")
	return cl.fs.String("org", "", "organization name (required)")
}

const keyListUsage = `usage: waybill key list --org NAME [--database-url URL]

List the organization's API keys: id, prefix (the first characters of the
key, enough to name it in 'waybill key revoke') and creation time.`

func keyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cl := newCmdLine("key list", keyListUsage, stdout, stderr)
	org := orgFlag(cl)
	_, st, tenants, err := withTenants(ctx, cl, args, 0, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := tenants.Keys(ctx, *org)
	if err != nil {
		return err
	}
	return printKeys(stdout, keys)
}

// printKeys writes keys as a table.
func printKeys(w io.Writer, keys []waybill.APIKey) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tCREATED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", k.ID, k.Prefix, k.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

const keyCreateUsage = `usage: waybill key create --org NAME [--database-url URL]

Create another API key for the organization and print {"org", "prefix",
"api_key"}. The key is shown only now; Waybill keeps its hash.`

func keyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cl := newCmdLine("key create", keyCreateUsage, stdout, stderr)
	org := orgFlag(cl)
	_, st, tenants, err := withTenants(ctx, cl, args, 0, 0)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := tenants.CreateKey(ctx, *org)
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"org": *org, "prefix": store.KeyPrefix(key), "api_key": key})
}

const keyRevokeUsage = `usage: waybill key revoke --org NAME [--database-url URL] PREFIX

Revoke the organization's API key that starts with PREFIX (as 'waybill key
list' shows it). Every instance refuses it from the next request on: keys
are checked against the database on each request, never cached.`

func keyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cl := newCmdLine("key revoke", keyRevokeUsage, stdout, stderr)
	org := orgFlag(cl)
	operands, st, tenants, err := withTenants(ctx, cl, args, 1, 1)
	if err != nil {
		return err
	}
	defer st.Close()
	k, err := tenants.RevokeKey(ctx, *org, operands[0])
	if err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "revoked key %d (%s) of %s\n", k.ID, k.Prefix, *org)
	return err
}
