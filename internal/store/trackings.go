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

const trackingColumns = `id, public_id, org_id, created_at, updated_at, doc, page_token`

// InsertTracking stores a new tracking and sets t.ID when it is empty. A
// tracking with the same organization, slug and number gives ECONFLICT with
// ReasonTrackingExists, and nothing is written.
func (q *Queries) InsertTracking(ctx context.Context, t *waybill.Tracking) error {
	return q.insertTracking(ctx, t, time.Time{})
}

// EncodedTracking is a new tracking with what its row stores besides
// its columns (the document and the search text) already encoded, and its
// id and page token chosen: EncodeTracking makes one wherever the
// tracking is prepared, so that the goroutine that inserts it (a group
// commit's one writer, which every create of a batch waits for) does not
// encode it. Its zero value with T set encodes at insert.
type EncodedTracking struct {
	T           *waybill.Tracking
	doc, search string
}

// EncodeTracking chooses t's id and page token when they are empty and
// encodes its document and search text; t must not change before it is
// inserted.
func EncodeTracking(t *waybill.Tracking) (EncodedTracking, error) {
	e := EncodedTracking{T: t}
	return e, e.encode()
}

// encode fills in what EncodeTracking does, unless it is done.
func (e *EncodedTracking) encode() error {
	if e.doc != "" {
		return nil
	}
	t := e.T
	if t.ID == "" {
		t.ID = NewPublicID()
	}
	if t.PageToken == "" {
		t.PageToken = NewPageToken()
	}
	doc, err := json.Marshal(docOf(t))
	if err != nil {
		return fmt.Errorf("encode tracking: %w", err)
	}
	e.doc, e.search = string(doc), searchText(t)
	return nil
}

// insertTracking is InsertTracking that makes the tracking's first poll
// claimable from firstPoll on (ClaimPolls); none when zero.
func (q *Queries) insertTracking(ctx context.Context, t *waybill.Tracking, firstPoll time.Time) error {
	return q.insertEncoded(ctx, EncodedTracking{T: t}, firstPoll)
}

// insertEncoded is insertTracking of e, encoded first unless it is.
func (q *Queries) insertEncoded(ctx context.Context, e EncodedTracking, firstPoll time.Time) error {
	if err := e.encode(); err != nil {
		return err
	}
	t := e.T
	// Exec and the count of rows, not RETURNING: a conflict inserts none,
	// and a statement without rows to read back costs less on SQLite.
	query := insertTrackingSQL
	args := []any{t.ID, t.OrgID, t.Slug, t.TrackingNumber, string(t.Tag), t.Active, t.OriginCountryISO3,
		t.DestinationCountryISO3, t.OrderID, e.search, t.ReturnToSender, deliveryDays(t),
		toMicros(t.CreatedAt), toMicros(t.UpdatedAt), e.doc, toMicros(t.LastUpdatedAt), t.PageToken}
	if !firstPoll.IsZero() && q.engine == Postgres {
		query, args = insertWithPollDue(query, "$18"), append(args, toMicros(firstPoll))
	}
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("insert tracking %s/%s: %w", t.Slug, t.TrackingNumber, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("insert tracking %s/%s: %w", t.Slug, t.TrackingNumber, err)
	} else if n == 0 {
		return &waybill.Error{Code: waybill.ECONFLICT, Reason: waybill.ReasonTrackingExists,
			Message: "Tracking already exists."}
	}
	if !firstPoll.IsZero() && q.engine != Postgres {
		return q.insertPollSchedule(ctx, [][]any{{t.ID, t.OrgID, toMicros(firstPoll)}})
	}
	return nil
}

// UpdateTracking writes every field of t over the stored tracking with the
// same organization and id. A missing tracking gives ENOTFOUND. A tracking
// that no longer polls (inactive, delivered or expired, or without a next
// poll time) gives up its poll to claim (poll_schedule.due, in the same
// statement on PostgreSQL), so that it leaves the poll schedule's index at
// once; otherwise a claimable poll, or a claim under way, is kept as it
// is.
func (q *Queries) UpdateTracking(ctx context.Context, t *waybill.Tracking) error {
	if !t.Active || t.Tag.Terminal() || t.NextPollAt.IsZero() {
		return q.updateTrackingPollDue(ctx, t, time.Time{})
	}
	return q.updateTracking(ctx, t, updateTrackingSQL)
}

// UpdateTrackingNextPoll is UpdateTracking that also makes the tracking's
// poll claimable (ClaimPolls) from next on (poll_schedule.due; in the same
// statement on PostgreSQL): what a poll's transaction writes for the poll
// after it. A zero next makes none. Whatever claim the tracking had is
// replaced.
func (q *Queries) UpdateTrackingNextPoll(ctx context.Context, t *waybill.Tracking, next time.Time) error {
	return q.updateTrackingPollDue(ctx, t, next)
}

// updateTrackingSQL is updateTracking's statement of the fields, with the
// poll to claim kept; on PostgreSQL updateTrackingPollDue's statements
// also give it up or set it to $16.
const updateTrackingSQL = `UPDATE trackings SET slug = $1, tracking_number = $2, tag = $3, active = $4,
		origin_iso3 = $5, destination_iso3 = $6, order_id = $7, search_text = $8, return_to_sender = $9,
		delivery_days = $10, updated_at = $11, doc = $12, last_info_at = $15 WHERE org_id = $13 AND public_id = $14`

// updateTracking writes t with one of updateTracking's statements, and
// args (from $16) after the statement's.
func (q *Queries) updateTracking(ctx context.Context, t *waybill.Tracking, query string, args ...any) error {
	doc, err := json.Marshal(docOf(t))
	if err != nil {
		return fmt.Errorf("encode tracking: %w", err)
	}
	res, err := q.q.ExecContext(ctx, query, append([]any{t.Slug, t.TrackingNumber, string(t.Tag), t.Active, t.OriginCountryISO3, t.DestinationCountryISO3,
		t.OrderID, searchText(t), t.ReturnToSender, deliveryDays(t), toMicros(t.UpdatedAt), string(doc),
		t.OrgID, t.ID, toMicros(t.LastUpdatedAt)}, args...)...)
	if err != nil {
		return fmt.Errorf("update tracking %s: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trackingNotFound()
	}
	return nil
}

// DeleteTracking removes a tracking of the organization; ENOTFOUND when it
// has none with that id.
func (q *Queries) DeleteTracking(ctx context.Context, orgID int64, id string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM trackings WHERE org_id = $1 AND public_id = $2`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete tracking %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trackingNotFound()
	}
	return nil
}

// Tracking returns the organization's tracking with that public id, or
// ENOTFOUND. Another organization's tracking is ENOTFOUND too.
func (q *Queries) Tracking(ctx context.Context, orgID int64, id string) (waybill.Tracking, error) {
	row := q.q.QueryRowContext(ctx, trackingByPublicIDSQL, orgID, id)
	t, _, err := scanTracking(row)
	return t, err
}

// TrackingAtKeyGeneration is Tracking together with the API key generation
// (APIKeyGeneration), read in the same statement and so in the same
// snapshot: a request whose key authenticated under that generation may
// be served the tracking as if it had read the generation first, in one
// round trip instead of two. A tracking that does not exist gives
// ENOTFOUND and no generation.
//
// On PostgreSQL, outside a transaction, concurrent calls are read
// together, one statement per batch (groupReads): each call is still
// answered by a read that began after it, so it sees every write and
// every revocation committed before it began.
func (q *Queries) TrackingAtKeyGeneration(ctx context.Context, orgID int64, id string) (waybill.Tracking, int64, error) {
	r, err := q.TrackingAtKeyGenerationUnlessSeen(ctx, orgID, id, nil)
	return r.Tracking, r.Gen, err
}

// TrackingByNumber returns the organization's tracking with that courier and
// number, or ENOTFOUND.
func (q *Queries) TrackingByNumber(ctx context.Context, orgID int64, slug, number string) (waybill.Tracking, error) {
	row := q.q.QueryRowContext(ctx, `SELECT `+trackingColumns+` FROM trackings
		WHERE org_id = $1 AND slug = $2 AND tracking_number = $3`, orgID, slug, number)
	t, _, err := scanTracking(row)
	return t, err
}

func trackingNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Tracking does not exist.")
}

type scanner interface{ Scan(dest ...any) error }

// trackingRow is a row of trackingColumns, as scanned.
type trackingRow struct {
	seq, orgID       int64
	publicID, doc    string
	created, updated int64
	pageToken        sql.NullString
}

func (r *trackingRow) dest() []any {
	return []any{&r.seq, &r.publicID, &r.orgID, &r.created, &r.updated, &r.doc, &r.pageToken}
}

// tracking decodes the row.
func (r *trackingRow) tracking() (waybill.Tracking, error) {
	t, err := decodeTracking(r.doc)
	if err != nil {
		return t, fmt.Errorf("decode tracking %s: %w", r.publicID, err)
	}
	t.ID, t.OrgID, t.PageToken = r.publicID, r.orgID, r.pageToken.String
	t.CreatedAt, t.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return t, nil
}

func scanTracking(row scanner) (waybill.Tracking, int64, error) {
	var r trackingRow
	err := row.Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return waybill.Tracking{}, 0, trackingNotFound()
	} else if err != nil {
		return waybill.Tracking{}, 0, fmt.Errorf("read tracking: %w", err)
	}
	t, err := r.tracking()
	if err != nil {
		return t, 0, err
	}
	return t, r.seq, nil
}

func searchText(t *waybill.Tracking) string {
	return strings.ToLower(strings.Join([]string{t.TrackingNumber, t.Title, t.OrderID, t.OrderNumber,
		t.CustomerName, strings.Join(t.Emails, " "), strings.Join(t.Smses, " ")}, " "))
}

func deliveryDays(t *waybill.Tracking) any {
	if t.DeliveryTime == nil {
		return nil
	}
	return int64(*t.DeliveryTime)
}

// TrackingRef names a tracking across organizations, for system sweeps.
type TrackingRef struct {
	OrgID int64
	ID    string
}

// StaleTrackings returns active trackings with no news since before, at
// most limit of them. It is the one read across organizations: the expiry
// sweep handles each result org-scoped.
func (q *Queries) StaleTrackings(ctx context.Context, before time.Time, limit int) ([]TrackingRef, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT org_id, public_id FROM trackings WHERE active = $1 AND last_info_at < $2
		ORDER BY last_info_at LIMIT $3`, true, toMicros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("list stale trackings: %w", err)
	}
	defer rows.Close()
	var out []TrackingRef
	for rows.Next() {
		var r TrackingRef
		if err := rows.Scan(&r.OrgID, &r.ID); err != nil {
			return nil, fmt.Errorf("list stale trackings: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// insertTrackingSQL inserts one tracking unless its slug and number are
// taken (InsertTracking; Warm prepares it).
const insertTrackingSQL = `INSERT INTO trackings
		(public_id, org_id, slug, tracking_number, tag, active, origin_iso3, destination_iso3, order_id,
		 search_text, return_to_sender, delivery_days, created_at, updated_at, doc, last_info_at, page_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (org_id, slug, tracking_number) DO NOTHING`
