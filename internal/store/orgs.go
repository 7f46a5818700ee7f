package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
)

// CreateOrg creates an organization. A taken name gives ECONFLICT.
func (q *Queries) CreateOrg(ctx context.Context, name string, now time.Time) (waybill.Organization, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return waybill.Organization{}, waybill.Invalid(waybill.ReasonFieldInvalid, "organization name must be 1 to 200 characters")
	}
	org := waybill.Organization{Name: name, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	err := q.q.QueryRowContext(ctx,
		`INSERT INTO organizations (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
		name, toMicros(org.CreatedAt)).Scan(&org.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return waybill.Organization{}, waybill.Errorf(waybill.ECONFLICT, "organization %q already exists", name)
	} else if err != nil {
		return waybill.Organization{}, fmt.Errorf("create organization %q: %w", name, err)
	}
	return org, nil
}

// OrgByName returns the organization with that name, or ENOTFOUND.
func (q *Queries) OrgByName(ctx context.Context, name string) (waybill.Organization, error) {
	return q.scanOrg(q.q.QueryRowContext(ctx, `SELECT id, name, created_at FROM organizations WHERE name = $1`, name), name)
}

// OrgByID returns the organization with that id, or ENOTFOUND.
func (q *Queries) OrgByID(ctx context.Context, id int64) (waybill.Organization, error) {
	return q.scanOrg(q.q.QueryRowContext(ctx, `SELECT id, name, created_at FROM organizations WHERE id = $1`, id), fmt.Sprint(id))
}

func (q *Queries) scanOrg(row *sql.Row, what string) (waybill.Organization, error) {
	var org waybill.Organization
	var created int64
	err := row.Scan(&org.ID, &org.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return org, waybill.Errorf(waybill.ENOTFOUND, "organization %s not found", what)
	} else if err != nil {
		return org, fmt.Errorf("get organization %s: %w", what, err)
	}
	org.CreatedAt = fromMicros(created)
	return org, nil
}

// OrgSummary is an organization with how many API keys it has.
type OrgSummary struct {
	waybill.Organization
	Keys int
}

// ListOrgs returns every organization with its number of keys, oldest
// first. It is for operators (the CLI), never for an organization's API.
func (q *Queries) ListOrgs(ctx context.Context) ([]OrgSummary, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT o.id, o.name, o.created_at,
		(SELECT COUNT(*) FROM api_keys k WHERE k.org_id = o.id) FROM organizations o ORDER BY o.id`)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	orgs := []OrgSummary{}
	for rows.Next() {
		var o OrgSummary
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &created, &o.Keys); err != nil {
			return nil, fmt.Errorf("list organizations: %w", err)
		}
		o.CreatedAt = fromMicros(created)
		orgs = append(orgs, o)
	}
	return orgs, rows.Err()
}

// HasOrgs reports whether any organization exists.
func (q *Queries) HasOrgs(ctx context.Context) (bool, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM organizations LIMIT 1) o`).Scan(&n); err != nil {
		return false, fmt.Errorf("count organizations: %w", err)
	}
	return n > 0, nil
}

// orgNames keeps organizations' names by id, for the page reads. Nothing
// changes a name once the organization is created (no statement updates
// organizations.name) and no organization is deleted, so an id names one
// organization, under one name, for good: a kept name is right on every
// instance without being read again. Only names read outside a
// transaction are kept, so a name never comes from a transaction that
// rolled back (SQLite may then give its id to the next organization).
// Should a rename ever be added, it must clear this (and other
// instances' copies), or the page read must join organizations again.
type orgNames struct {
	mu sync.RWMutex
	m  map[int64]string
}

// orgNamesMax bounds the names kept; past it the map starts afresh.
const orgNamesMax = 100_000

func newOrgNames() *orgNames { return &orgNames{m: map[int64]string{}} }

// orgName returns the name of the organization with that id, from the
// kept names when there, else read (and kept when q is not a
// transaction's).
func (q *Queries) orgName(ctx context.Context, id int64) (string, error) {
	if q.orgNames != nil {
		q.orgNames.mu.RLock()
		name, ok := q.orgNames.m[id]
		q.orgNames.mu.RUnlock()
		if ok {
			return name, nil
		}
	}
	org, err := q.OrgByID(ctx, id)
	if err != nil {
		return "", err
	}
	if q.orgNames != nil {
		q.orgNames.mu.Lock()
		if len(q.orgNames.m) >= orgNamesMax {
			clear(q.orgNames.m)
		}
		q.orgNames.m[id] = org.Name
		q.orgNames.mu.Unlock()
	}
	return org.Name, nil
}
