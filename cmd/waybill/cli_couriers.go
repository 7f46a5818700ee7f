package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/tracking"
)

const couriersUsage = `usage: waybill couriers <subcommand> --org NAME [SLUG ...]

subcommands:
  list --org NAME                   list the couriers detection considers for the organization
  activate --org NAME SLUG ...      activate couriers ("all" activates every one)
  deactivate --org NAME SLUG ...    deactivate couriers (at least one must stay)

A new organization has every courier activated. The same choice is
GET/PUT /v1/couriers. Each takes --database-url (default: WAYBILL_DATABASE_URL).`

// couriersCommand runs `waybill couriers list|activate|deactivate`.
func couriersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	choose := func(name string, activate bool) func([]string) error {
		return func(args []string) error { return couriersChoose(ctx, name, activate, args, stdout, stderr) }
	}
	return subcommand("couriers", couriersUsage, args, stdout, stderr, map[string]func([]string) error{
		"list":       func(args []string) error { return couriersChoose(ctx, "list", false, args, stdout, stderr) },
		"activate":   choose("activate", true),
		"deactivate": choose("deactivate", false),
	})
}

// couriersChoose runs one subcommand and prints the resulting set.
func couriersChoose(ctx context.Context, name string, activate bool, args []string, stdout, stderr io.Writer) error {
	usage := "usage: waybill couriers " + name + " --org NAME [--database-url URL] SLUG ...\n\n" + couriersUsage
	minArgs, maxArgs := 1, -1
	if name == "list" {
		usage, minArgs, maxArgs = "usage: waybill couriers list --org NAME [--database-url URL]\n\nList the organization's activated couriers.", 0, 0
	}
	cl := newCmdLine("couriers "+name, usage, stdout, stderr)
	org := orgFlag(cl)
	slugs, st, tenants, err := withTenants(ctx, cl, args, minArgs, maxArgs)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := tenants.Org(ctx, *org)
	if err != nil {
		return err
	}
	for i, s := range slugs {
		slugs[i] = strings.ToLower(strings.TrimSpace(s))
	}
	if activate && len(slugs) == 1 && slugs[0] == "all" {
		slugs = slugs[:0]
		for _, c := range courier.All() {
			slugs = append(slugs, c.Slug)
		}
	}
	core := &tracking.Service{Store: st}
	var cs []courier.Courier
	switch {
	case name == "list":
		cs, err = core.Activated(ctx, o.ID)
	case activate:
		cs, err = core.ChooseCouriers(ctx, o.ID, slugs, nil)
	default:
		cs, err = core.ChooseCouriers(ctx, o.ID, nil, slugs)
	}
	if err != nil {
		return err
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Slug
	}
	if len(cs) == len(courier.All()) {
		_, err = fmt.Fprintf(stdout, "%s: all %d couriers activated\n", *org, len(cs))
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s: %d of %d couriers activated: %s\n", *org, len(cs), len(courier.All()), strings.Join(names, " "))
	return err
}
