package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// Trackers, their providers and locations are stored as JSON documents
// (doc) beside the columns their lookups use. The documents are the core
// types themselves (waybill.Tracker, TrackerProvider, TrackerLocation):
// those declare no JSON tags, so their keys are the Go field names, and
// store/testdata/tracker_doc.golden.json pins them.

// Reasons of a tracker insert's ECONFLICT.
const (
	ReasonTrackerExists = "tracker_exists" // the organization has a tracker with that external id
	ReasonTrackingTaken = "tracking_taken" // the tracking already belongs to another tracker
)

// providerDocs are the providers of an organization, unique by name.
var providerDocs = keyedDocs{table: "tracker_providers", key: "name", noun: "provider", notFound: providerNotFound,
	taken: func(name string) error {
		return waybill.Errorf(waybill.ECONFLICT, "A provider named %q already exists.", name)
	}}

// locationDocs are the locations of an organization, unique by external id.
var locationDocs = keyedDocs{table: "tracker_locations", key: "external_id", noun: "location", notFound: locationNotFound,
	taken: func(id string) error {
		return waybill.Errorf(waybill.ECONFLICT, "A location with external_id %q already exists.", id)
	}}

// InsertTrackerProvider stores a new provider and sets its ID. A name the
// organization already uses gives ECONFLICT.
func (q *Queries) InsertTrackerProvider(ctx context.Context, p *waybill.TrackerProvider) error {
	if p.ID == "" {
		p.ID = NewPublicID()
	}
	return q.insertKeyedDoc(ctx, providerDocs, keyedDoc{p.ID, p.OrgID, p.Name, p, p.CreatedAt, p.UpdatedAt})
}

// UpdateTrackerProvider writes p over the stored provider with its id:
// ENOTFOUND when there is none, ECONFLICT when its new name is taken.
func (q *Queries) UpdateTrackerProvider(ctx context.Context, p *waybill.TrackerProvider) error {
	return q.updateKeyedDoc(ctx, providerDocs, keyedDoc{p.ID, p.OrgID, p.Name, p, p.CreatedAt, p.UpdatedAt})
}

// TrackerProvider returns the organization's provider with that id, or
// ENOTFOUND.
func (q *Queries) TrackerProvider(ctx context.Context, orgID int64, id string) (waybill.TrackerProvider, error) {
	return scanDoc[waybill.TrackerProvider](q.q.QueryRowContext(ctx,
		`SELECT doc FROM tracker_providers WHERE org_id = $1 AND public_id = $2`, orgID, id), orgID, providerNotFound)
}

// TrackerProviderByName returns the organization's provider with that
// name, or ENOTFOUND.
func (q *Queries) TrackerProviderByName(ctx context.Context, orgID int64, name string) (waybill.TrackerProvider, error) {
	return scanDoc[waybill.TrackerProvider](q.q.QueryRowContext(ctx,
		`SELECT doc FROM tracker_providers WHERE org_id = $1 AND name = $2`, orgID, name), orgID, providerNotFound)
}

// TrackerProviders returns the organization's providers, oldest first.
func (q *Queries) TrackerProviders(ctx context.Context, orgID int64) ([]waybill.TrackerProvider, error) {
	return listDocs[waybill.TrackerProvider](ctx, q, orgID, `SELECT doc FROM tracker_providers WHERE org_id = $1 ORDER BY id`, orgID)
}

// DeleteTrackerProvider removes the organization's provider, or gives
// ENOTFOUND. Trackers keep the provider as it was when they were made.
func (q *Queries) DeleteTrackerProvider(ctx context.Context, orgID int64, id string) error {
	return q.deleteRow(ctx, "tracker_providers", orgID, id, providerNotFound)
}

// InsertTrackerLocation stores a new location and sets its ID. An external
// id the organization already uses gives ECONFLICT.
func (q *Queries) InsertTrackerLocation(ctx context.Context, l *waybill.TrackerLocation) error {
	if l.ID == "" {
		l.ID = NewPublicID()
	}
	return q.insertKeyedDoc(ctx, locationDocs, keyedDoc{l.ID, l.OrgID, l.ExternalID, l, l.CreatedAt, l.UpdatedAt})
}

// UpdateTrackerLocation writes l over the stored location with its id:
// ENOTFOUND when there is none, ECONFLICT when its new external id is taken.
func (q *Queries) UpdateTrackerLocation(ctx context.Context, l *waybill.TrackerLocation) error {
	return q.updateKeyedDoc(ctx, locationDocs, keyedDoc{l.ID, l.OrgID, l.ExternalID, l, l.CreatedAt, l.UpdatedAt})
}

// TrackerLocation returns the organization's location with that id, or
// ENOTFOUND.
func (q *Queries) TrackerLocation(ctx context.Context, orgID int64, id string) (waybill.TrackerLocation, error) {
	return scanDoc[waybill.TrackerLocation](q.q.QueryRowContext(ctx,
		`SELECT doc FROM tracker_locations WHERE org_id = $1 AND public_id = $2`, orgID, id), orgID, locationNotFound)
}

// TrackerLocationByExternalID returns the organization's location with that
// external id, or ENOTFOUND.
func (q *Queries) TrackerLocationByExternalID(ctx context.Context, orgID int64, externalID string) (waybill.TrackerLocation, error) {
	return scanDoc[waybill.TrackerLocation](q.q.QueryRowContext(ctx,
		`SELECT doc FROM tracker_locations WHERE org_id = $1 AND external_id = $2`, orgID, externalID), orgID, locationNotFound)
}

// TrackerLocations returns the organization's locations, oldest first.
func (q *Queries) TrackerLocations(ctx context.Context, orgID int64) ([]waybill.TrackerLocation, error) {
	return listDocs[waybill.TrackerLocation](ctx, q, orgID, `SELECT doc FROM tracker_locations WHERE org_id = $1 ORDER BY id`, orgID)
}

// DeleteTrackerLocation removes the organization's location, or gives
// ENOTFOUND. Trackers keep the address and contact they took from it.
func (q *Queries) DeleteTrackerLocation(ctx context.Context, orgID int64, id string) error {
	return q.deleteRow(ctx, "tracker_locations", orgID, id, locationNotFound)
}

// InsertTracker stores a new tracker and sets its ID. An external id the
// organization already uses, or a tracking that is already another
// tracker's, gives ECONFLICT (ReasonTrackerExists or ReasonTrackingTaken)
// and writes nothing.
func (q *Queries) InsertTracker(ctx context.Context, t *waybill.Tracker) error {
	if t.ID == "" {
		t.ID = NewPublicID()
	}
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM trackers WHERE org_id = $1 AND tracking_id = $2`, t.OrgID, t.TrackingID).Scan(&n); err != nil {
		return fmt.Errorf("check tracker tracking: %w", err)
	}
	if n > 0 {
		return &waybill.Error{Code: waybill.ECONFLICT, Reason: ReasonTrackingTaken, Message: "The tracking number is already another tracker's."}
	}
	doc, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode tracker: %w", err)
	}
	var id int64
	err = q.q.QueryRowContext(ctx, `INSERT INTO trackers (public_id, org_id, external_id, tracking_id, group_id, status, provider, doc, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
		t.ID, t.OrgID, t.ExternalID, t.TrackingID, t.GroupID, t.Status, t.Provider.Name, string(doc),
		toMicros(t.CreatedAt), toMicros(t.UpdatedAt)).Scan(&id)
	if isNoRows(err) {
		return &waybill.Error{Code: waybill.ECONFLICT, Reason: ReasonTrackerExists, Message: "A tracker with this trackerExternalId already exists."}
	} else if err != nil {
		return fmt.Errorf("insert tracker: %w", err)
	}
	return nil
}

// UpdateTracker writes t over the stored tracker with its id, or gives
// ENOTFOUND.
func (q *Queries) UpdateTracker(ctx context.Context, t *waybill.Tracker) error {
	doc, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode tracker: %w", err)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE trackers SET status = $1, doc = $2, updated_at = $3 WHERE org_id = $4 AND public_id = $5`,
		t.Status, string(doc), toMicros(t.UpdatedAt), t.OrgID, t.ID)
	if err != nil {
		return fmt.Errorf("update tracker: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trackerNotFound()
	}
	return nil
}

// TrackerByExternalID returns the organization's tracker with that
// trackerExternalId, or ENOTFOUND.
func (q *Queries) TrackerByExternalID(ctx context.Context, orgID int64, externalID string) (waybill.Tracker, error) {
	return scanDoc[waybill.Tracker](q.q.QueryRowContext(ctx,
		`SELECT doc FROM trackers WHERE org_id = $1 AND external_id = $2`, orgID, externalID), orgID, trackerNotFound)
}

// TrackerByTrackingID returns the organization's tracker of that tracking
// (its public id), or ENOTFOUND when the tracking is no tracker's.
func (q *Queries) TrackerByTrackingID(ctx context.Context, orgID int64, trackingID string) (waybill.Tracker, error) {
	return scanDoc[waybill.Tracker](q.q.QueryRowContext(ctx,
		trackerByTrackingSQL, orgID, trackingID), orgID, trackerNotFound)
}

// FirstTrackerOfGroup returns the organization's oldest tracker of the
// group, or ENOTFOUND when the group has none.
func (q *Queries) FirstTrackerOfGroup(ctx context.Context, orgID int64, groupID string) (waybill.Tracker, error) {
	return scanDoc[waybill.Tracker](q.q.QueryRowContext(ctx,
		`SELECT doc FROM trackers WHERE org_id = $1 AND group_id = $2 ORDER BY id LIMIT 1`, orgID, groupID), orgID, trackerNotFound)
}

// Trackers returns a page of the organization's trackers that match f,
// newest first, and how many match in all. f is taken as validated
// (waybill.TrackerFilter.Validate).
func (q *Queries) Trackers(ctx context.Context, orgID int64, f waybill.TrackerFilter) ([]waybill.Tracker, int, error) {
	where := []string{"org_id = $1"}
	args := []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.GroupID != "" {
		add("group_id = $%d", f.GroupID)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Provider != "" {
		add("provider = $%d", f.Provider)
	}
	if f.CreatedFrom != nil {
		add("created_at >= $%d", toMicros(time.UnixMilli(*f.CreatedFrom)))
	}
	if f.CreatedTo != nil {
		add("created_at < $%d", toMicros(time.UnixMilli(*f.CreatedTo+1)))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM trackers WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count trackers: %w", err)
	}
	args = append(args, f.Limit, f.Offset)
	list, err := listDocs[waybill.Tracker](ctx, q, orgID,
		fmt.Sprintf("SELECT doc FROM trackers WHERE %s ORDER BY id DESC LIMIT $%d OFFSET $%d", cond, len(args)-1, len(args)), args...)
	return list, total, err
}

// ClaimGroupNotice records that the group announces tag through the
// tracker, and reports whether it did: false when the group had already
// announced that tag (through this tracker or another).
func (q *Queries) ClaimGroupNotice(ctx context.Context, orgID int64, groupID string, tag waybill.Tag, trackerID string, now time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO tracker_group_notices (org_id, group_id, tag, tracker_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, orgID, groupID, string(tag), trackerID, toMicros(now))
	if err != nil {
		return false, fmt.Errorf("claim group notice: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim group notice: %w", err)
	}
	return n == 1, nil
}

func (q *Queries) deleteRow(ctx context.Context, table string, orgID int64, id string, notFound func() error) error {
	res, err := q.q.ExecContext(ctx, "DELETE FROM "+table+" WHERE org_id = $1 AND public_id = $2", orgID, id)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound()
	}
	return nil
}

// scanDoc reads one stored document; no row is notFound's error.
func scanDoc[T any](row *sql.Row, orgID int64, notFound func() error) (T, error) {
	var v T
	var doc string
	if err := row.Scan(&doc); errors.Is(err, sql.ErrNoRows) {
		return v, notFound()
	} else if err != nil {
		return v, fmt.Errorf("read %T: %w", v, err)
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	setOrg(&v, orgID)
	return v, nil
}

func listDocs[T any](ctx context.Context, q *Queries, orgID int64, query string, args ...any) ([]T, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return nil, fmt.Errorf("decode %T: %w", v, err)
		}
		setOrg(&v, orgID)
		out = append(out, v)
	}
	return out, rows.Err()
}

// setOrg sets the organization of a document read with it, whatever the
// document says.
func setOrg(v any, orgID int64) {
	switch x := v.(type) {
	case *waybill.Tracker:
		x.OrgID = orgID
	case *waybill.TrackerProvider:
		x.OrgID = orgID
	case *waybill.TrackerLocation:
		x.OrgID = orgID
	}
}

func providerNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Provider not found.")
}

func locationNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Location not found.")
}

func trackerNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Tracker not found.")
}
