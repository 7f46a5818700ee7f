package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// returnDoc is a return as the store keeps it: the JSON document in
// returns.doc and in the payload of a return.* event. Its field names are
// the database's; the indexed fields are columns too.
type returnDoc struct {
	ID                   string          `json:"id"`
	RMA                  string          `json:"rma"`
	Status               string          `json:"status"`
	OrderKey             string          `json:"order_key"`
	OrderNumber          string          `json:"order_number,omitempty"`
	OrderID              string          `json:"order_id,omitempty"`
	SaleID               int64           `json:"sale_id,omitempty"`
	TrackingID           string          `json:"tracking_id,omitempty"`
	PageToken            string          `json:"page_token"`
	Email                string          `json:"email,omitempty"`
	Language             string          `json:"language,omitempty"`
	Lines                []returnLineDoc `json:"lines"`
	RejectReason         string          `json:"reject_reason,omitempty"`
	LabelURL             string          `json:"label_url,omitempty"`
	ReturnTrackingID     string          `json:"return_tracking_id,omitempty"`
	ReturnTrackingNumber string          `json:"return_tracking_number,omitempty"`
	ReturnSlug           string          `json:"return_slug,omitempty"`
	Note                 string          `json:"note,omitempty"`
	CreatedAt            time.Time       `json:"created_at"`
	UpdatedAt            time.Time       `json:"updated_at"`
	ApprovedAt           time.Time       `json:"approved_at,omitzero"`
	ShippedAt            time.Time       `json:"shipped_at,omitzero"`
	ReceivedAt           time.Time       `json:"received_at,omitzero"`
	ResolvedAt           time.Time       `json:"resolved_at,omitzero"`
	ExpiresAt            time.Time       `json:"expires_at,omitzero"`
}

type returnLineDoc struct {
	ID         string `json:"id"`
	SaleItemID int64  `json:"sale_item_id,omitempty"`
	Name       string `json:"name"`
	SKU        string `json:"sku,omitempty"`
	Quantity   int    `json:"quantity"`
	Received   int    `json:"received,omitempty"`
	Reason     string `json:"reason"`
	Comment    string `json:"comment,omitempty"`
	Resolution string `json:"resolution"`
}

func returnDocOf(r *waybill.Return) returnDoc {
	d := returnDoc{ID: r.ID, RMA: r.RMA, Status: string(r.Status), OrderKey: r.OrderKey, OrderNumber: r.OrderNumber,
		OrderID: r.OrderID, SaleID: r.SaleID, TrackingID: r.TrackingID, PageToken: r.PageToken, Email: r.Email,
		Language: r.Language, RejectReason: r.RejectReason, LabelURL: r.LabelURL, ReturnTrackingID: r.ReturnTrackingID,
		ReturnTrackingNumber: r.ReturnTrackingNumber, ReturnSlug: r.ReturnSlug, Note: r.Note, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, ApprovedAt: r.ApprovedAt, ShippedAt: r.ShippedAt, ReceivedAt: r.ReceivedAt,
		ResolvedAt: r.ResolvedAt, ExpiresAt: r.ExpiresAt, Lines: []returnLineDoc{}}
	for _, l := range r.Lines {
		d.Lines = append(d.Lines, returnLineDoc{ID: l.ID, SaleItemID: l.SaleItemID, Name: l.Name, SKU: l.SKU,
			Quantity: l.Quantity, Received: l.Received, Reason: l.Reason, Comment: l.Comment, Resolution: string(l.Resolution)})
	}
	return d
}

func (d returnDoc) value() waybill.Return {
	r := waybill.Return{ID: d.ID, RMA: d.RMA, Status: waybill.ReturnStatus(d.Status), OrderKey: d.OrderKey,
		OrderNumber: d.OrderNumber, OrderID: d.OrderID, SaleID: d.SaleID, TrackingID: d.TrackingID, PageToken: d.PageToken,
		Email: d.Email, Language: d.Language, RejectReason: d.RejectReason, LabelURL: d.LabelURL,
		ReturnTrackingID: d.ReturnTrackingID, ReturnTrackingNumber: d.ReturnTrackingNumber, ReturnSlug: d.ReturnSlug,
		Note: d.Note, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ApprovedAt: d.ApprovedAt, ShippedAt: d.ShippedAt,
		ReceivedAt: d.ReceivedAt, ResolvedAt: d.ResolvedAt, ExpiresAt: d.ExpiresAt}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, waybill.ReturnLine{ID: l.ID, SaleItemID: l.SaleItemID, Name: l.Name, SKU: l.SKU,
			Quantity: l.Quantity, Received: l.Received, Reason: l.Reason, Comment: l.Comment, Resolution: waybill.Resolution(l.Resolution)})
	}
	return r
}

// NewRMA returns a return number for people: RMA- and two groups of four
// characters that cannot be mistaken for one another.
func NewRMA() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := []byte("RMA-0000-0000")
	for i, c := range b {
		pos := 4 + i
		if i >= 4 {
			pos++
		}
		out[pos] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}

// InsertReturn stores a new return, setting its ID, RMA and page token
// when empty, and returns its internal key. An RMA already taken in the
// organization is ECONFLICT (the caller draws another).
func (q *Queries) InsertReturn(ctx context.Context, r *waybill.Return) (int64, error) {
	if r.ID == "" {
		r.ID = NewPublicID()
	}
	if r.RMA == "" {
		r.RMA = NewRMA()
	}
	if r.PageToken == "" {
		r.PageToken = NewPageToken()
	}
	doc, err := json.Marshal(returnDocOf(r))
	if err != nil {
		return 0, fmt.Errorf("encode return: %w", err)
	}
	var seq int64
	err = q.q.QueryRowContext(ctx, `INSERT INTO returns (public_id, org_id, rma, page_token, status, order_key, order_number,
		return_tracking_id, doc, created_at, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (org_id, rma) DO NOTHING RETURNING id`,
		r.ID, r.OrgID, r.RMA, r.PageToken, string(r.Status), r.OrderKey, r.OrderNumber, r.ReturnTrackingID, string(doc),
		toMicros(r.CreatedAt), toMicros(r.UpdatedAt), expiresMicros(r)).Scan(&seq)
	if isNoRows(err) {
		return 0, waybill.Errorf(waybill.ECONFLICT, "RMA %s is taken.", r.RMA)
	} else if err != nil {
		return 0, fmt.Errorf("insert return: %w", err)
	}
	return seq, nil
}

// expiresMicros is the expiry column: set only while the return is
// approved, so the sweep's index holds nothing else.
func expiresMicros(r *waybill.Return) int64 {
	if r.Status != waybill.ReturnApproved {
		return 0
	}
	return toMicros(r.ExpiresAt)
}

// UpdateReturn stores a changed return.
func (q *Queries) UpdateReturn(ctx context.Context, r *waybill.Return) error {
	doc, err := json.Marshal(returnDocOf(r))
	if err != nil {
		return fmt.Errorf("encode return: %w", err)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE returns SET status = $1, return_tracking_id = $2, doc = $3, updated_at = $4,
		expires_at = $5 WHERE org_id = $6 AND public_id = $7`,
		string(r.Status), r.ReturnTrackingID, string(doc), toMicros(r.UpdatedAt), expiresMicros(r), r.OrgID, r.ID)
	if err != nil {
		return fmt.Errorf("update return: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waybill.Errorf(waybill.ENOTFOUND, "Return does not exist.")
	}
	return nil
}

const returnColumns = `id, org_id, doc`

func scanReturn(row scanner) (waybill.Return, int64, error) {
	var seq, orgID int64
	var doc string
	if err := row.Scan(&seq, &orgID, &doc); isNoRows(err) {
		return waybill.Return{}, 0, waybill.Errorf(waybill.ENOTFOUND, "Return does not exist.")
	} else if err != nil {
		return waybill.Return{}, 0, fmt.Errorf("read return: %w", err)
	}
	var d returnDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return waybill.Return{}, 0, fmt.Errorf("decode return: %w", err)
	}
	r := d.value()
	r.OrgID = orgID
	return r, seq, nil
}

// Return returns the organization's return with that public id, with its
// internal key. On PostgreSQL inside a transaction, lock makes the row the
// transaction's until it ends, so that read-modify-write cannot interleave.
func (q *Queries) Return(ctx context.Context, orgID int64, id string, lock bool) (waybill.Return, int64, error) {
	query := `SELECT ` + returnColumns + ` FROM returns WHERE org_id = $1 AND public_id = $2`
	if lock && q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	return scanReturn(q.q.QueryRowContext(ctx, query, orgID, id))
}

// ReturnBySeq returns the organization's return with that internal key.
func (q *Queries) ReturnBySeq(ctx context.Context, orgID, seq int64) (waybill.Return, error) {
	r, _, err := scanReturn(q.q.QueryRowContext(ctx, `SELECT `+returnColumns+` FROM returns WHERE org_id = $1 AND id = $2`, orgID, seq))
	return r, err
}

// ReturnByToken returns the return whose page token is token. Like a
// tracking's page token, it is the one lookup not scoped by organization.
func (q *Queries) ReturnByToken(ctx context.Context, token string, lock bool) (waybill.Return, int64, error) {
	query := `SELECT ` + returnColumns + ` FROM returns WHERE page_token = $1`
	if lock && q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	return scanReturn(q.q.QueryRowContext(ctx, query, token))
}

// ReturnsByTracking returns the organization's returns whose return parcel
// is that tracking, locked on PostgreSQL inside a transaction.
func (q *Queries) ReturnsByTracking(ctx context.Context, orgID int64, trackingID string) ([]waybill.Return, error) {
	query := `SELECT ` + returnColumns + ` FROM returns WHERE org_id = $1 AND return_tracking_id = $2 ORDER BY id`
	if q.engine == Postgres {
		query += ` FOR UPDATE`
	}
	return q.returns(ctx, query, orgID, trackingID)
}

// OrderReturns returns the organization's returns of one order, oldest
// first.
func (q *Queries) OrderReturns(ctx context.Context, orgID int64, orderKey string) ([]waybill.Return, error) {
	return q.returns(ctx, `SELECT `+returnColumns+` FROM returns WHERE org_id = $1 AND order_key = $2 ORDER BY id LIMIT 200`, orgID, orderKey)
}

// Returns lists the organization's returns matching f, newest first.
func (q *Queries) Returns(ctx context.Context, orgID int64, f waybill.ReturnFilter) ([]waybill.Return, error) {
	where := []string{"org_id = $1"}
	args := []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if !f.Since.IsZero() {
		add("created_at >= $%d", toMicros(f.Since))
	}
	if f.OrderNumber != "" {
		add("order_number = $%d", f.OrderNumber)
	}
	args = append(args, f.Limit)
	return q.returns(ctx, `SELECT `+returnColumns+` FROM returns WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args)), args...)
}

func (q *Queries) returns(ctx context.Context, query string, args ...any) ([]waybill.Return, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list returns: %w", err)
	}
	defer rows.Close()
	var out []waybill.Return
	for rows.Next() {
		r, _, err := scanReturn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReturnRef names one return of one organization.
type ReturnRef struct {
	OrgID int64
	ID    string
}

// ExpiringReturns returns approved returns whose time to ship ran out
// before now, across organizations (a system sweep), at most limit.
func (q *Queries) ExpiringReturns(ctx context.Context, now time.Time, limit int) ([]ReturnRef, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT org_id, public_id FROM returns WHERE status = $1 AND expires_at > 0 AND expires_at <= $2
		ORDER BY expires_at LIMIT $3`, string(waybill.ReturnApproved), toMicros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list expiring returns: %w", err)
	}
	defer rows.Close()
	var out []ReturnRef
	for rows.Next() {
		var r ReturnRef
		if err := rows.Scan(&r.OrgID, &r.ID); err != nil {
			return nil, fmt.Errorf("read expiring return: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClaimReturnQuantity adds n to what the returns of an order claim of one
// line, of which ordered were bought. It is one conditional statement on
// one row (a CHECK constraint backs it), so concurrent claims cannot
// together pass ordered: the claim that would is ECONFLICT
// (ReasonOverQuantity) and changes nothing.
func (q *Queries) ClaimReturnQuantity(ctx context.Context, orgID int64, orderKey, lineID string, ordered, n int) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO return_quantities (org_id, order_key, line_id, ordered, claimed)
		VALUES ($1, $2, $3, $4, 0) ON CONFLICT (org_id, order_key, line_id) DO NOTHING`, orgID, orderKey, lineID, ordered); err != nil {
		return fmt.Errorf("claim return quantity: %w", err)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE return_quantities SET claimed = claimed + $4, ordered = $5
		WHERE org_id = $1 AND order_key = $2 AND line_id = $3 AND claimed + $4 <= $5`, orgID, orderKey, lineID, n, ordered)
	if err != nil {
		return fmt.Errorf("claim return quantity: %w", err)
	}
	if affected, _ := res.RowsAffected(); affected == 0 {
		return &waybill.Error{Code: waybill.ECONFLICT, Reason: waybill.ReasonOverQuantity,
			Message: "The returns of this order already include every item of this line."}
	}
	return nil
}

// ReleaseReturnQuantity gives back n claimed of a line (a rejected or
// expired return).
func (q *Queries) ReleaseReturnQuantity(ctx context.Context, orgID int64, orderKey, lineID string, n int) error {
	_, err := q.q.ExecContext(ctx, `UPDATE return_quantities SET claimed = claimed - $4
		WHERE org_id = $1 AND order_key = $2 AND line_id = $3 AND claimed >= $4`, orgID, orderKey, lineID, n)
	if err != nil {
		return fmt.Errorf("release return quantity: %w", err)
	}
	return nil
}

// ClaimedReturnQuantities returns what the returns of an order claim, by
// line id.
func (q *Queries) ClaimedReturnQuantities(ctx context.Context, orgID int64, orderKey string) (map[string]int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT line_id, claimed FROM return_quantities WHERE org_id = $1 AND order_key = $2`, orgID, orderKey)
	if err != nil {
		return nil, fmt.Errorf("read return quantities: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("read return quantity: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// returnSettingsDoc is the stored form of an organization's return rules.
type returnSettingsDoc struct {
	Enabled        bool              `json:"enabled"`
	WindowDays     int               `json:"window_days"`
	BeforeDelivery bool              `json:"before_delivery"`
	ShipWithinDays int               `json:"ship_within_days"`
	Reasons        []returnReasonDoc `json:"reasons"`
	Resolutions    []string          `json:"resolutions"`
	AutoApprove    bool              `json:"auto_approve"`
	NonReturnable  []string          `json:"non_returnable,omitempty"`
	ReturnAddress  string            `json:"return_address,omitempty"`
}

type returnReasonDoc struct {
	Code            string            `json:"code"`
	Label           string            `json:"label"`
	Translations    map[string]string `json:"translations,omitempty"`
	CommentRequired bool              `json:"comment_required,omitempty"`
}

// ReturnSettings returns the organization's stored rules; ok is false when
// it has stored none.
func (q *Queries) ReturnSettings(ctx context.Context, orgID int64) (s waybill.ReturnSettings, ok bool, err error) {
	var doc string
	var updated int64
	err = q.q.QueryRowContext(ctx, `SELECT doc, updated_at FROM return_settings WHERE org_id = $1`, orgID).Scan(&doc, &updated)
	if isNoRows(err) {
		return s, false, nil
	} else if err != nil {
		return s, false, fmt.Errorf("read return settings: %w", err)
	}
	var d returnSettingsDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return s, false, fmt.Errorf("decode return settings: %w", err)
	}
	s = waybill.ReturnSettings{Enabled: d.Enabled, WindowDays: d.WindowDays, BeforeDelivery: d.BeforeDelivery,
		ShipWithinDays: d.ShipWithinDays, AutoApprove: d.AutoApprove, NonReturnable: d.NonReturnable,
		ReturnAddress: d.ReturnAddress, UpdatedAt: fromMicros(updated)}
	for _, r := range d.Reasons {
		s.Reasons = append(s.Reasons, waybill.ReturnReason{Code: r.Code, Label: r.Label, Translations: r.Translations, CommentRequired: r.CommentRequired})
	}
	for _, r := range d.Resolutions {
		s.Resolutions = append(s.Resolutions, waybill.Resolution(r))
	}
	return s, true, nil
}

// PutReturnSettings stores the organization's rules.
func (q *Queries) PutReturnSettings(ctx context.Context, orgID int64, s waybill.ReturnSettings) error {
	d := returnSettingsDoc{Enabled: s.Enabled, WindowDays: s.WindowDays, BeforeDelivery: s.BeforeDelivery,
		ShipWithinDays: s.ShipWithinDays, AutoApprove: s.AutoApprove, NonReturnable: s.NonReturnable, ReturnAddress: s.ReturnAddress}
	for _, r := range s.Reasons {
		d.Reasons = append(d.Reasons, returnReasonDoc{Code: r.Code, Label: r.Label, Translations: r.Translations, CommentRequired: r.CommentRequired})
	}
	for _, r := range s.Resolutions {
		d.Resolutions = append(d.Resolutions, string(r))
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode return settings: %w", err)
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO return_settings (org_id, doc, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`, orgID, string(doc), toMicros(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store return settings: %w", err)
	}
	return nil
}
