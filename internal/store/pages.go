package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/waybillhq/waybill"
)

// storedBranding is the stored form of waybill.Branding (org_pages.settings).
// Its JSON names are the storage format; renaming one loses stored data.
type storedBranding struct {
	DisplayName     string `json:"display_name,omitempty"`
	LogoURL         string `json:"logo_url,omitempty"`
	AccentColor     string `json:"accent_color,omitempty"`
	SupportEmail    string `json:"support_email,omitempty"`
	SupportURL      string `json:"support_url,omitempty"`
	Language        string `json:"language,omitempty"`
	TimeZone        string `json:"time_zone,omitempty"`
	HideCourier     bool   `json:"hide_courier,omitempty"`
	CourierMessage  string `json:"courier_message,omitempty"`
	MaskLocations   bool   `json:"mask_locations,omitempty"`
	LocationMessage string `json:"location_message,omitempty"`
}

func decodeBranding(settings sql.NullString, host sql.NullString, updated sql.NullInt64) (waybill.Branding, error) {
	var b waybill.Branding
	if !settings.Valid {
		return b, nil
	}
	var s storedBranding
	if err := json.Unmarshal([]byte(settings.String), &s); err != nil {
		return b, fmt.Errorf("decode branding: %w", err)
	}
	b = waybill.Branding{DisplayName: s.DisplayName, LogoURL: s.LogoURL, AccentColor: s.AccentColor,
		SupportEmail: s.SupportEmail, SupportURL: s.SupportURL, Language: s.Language, TimeZone: s.TimeZone,
		CustomHost: host.String, HideCourier: s.HideCourier, CourierMessage: s.CourierMessage,
		MaskLocations: s.MaskLocations, LocationMessage: s.LocationMessage, UpdatedAt: fromMicros(updated.Int64)}
	return b, nil
}

// Branding returns the organization's branding; the zero Branding when it
// has never set one.
func (q *Queries) Branding(ctx context.Context, orgID int64) (waybill.Branding, error) {
	var settings, host sql.NullString
	var updated sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT settings, custom_host, updated_at FROM org_pages WHERE org_id = $1`, orgID).
		Scan(&settings, &host, &updated)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return waybill.Branding{}, fmt.Errorf("get branding of organization %d: %w", orgID, err)
	}
	return decodeBranding(settings, host, updated)
}

// PutBranding stores the organization's branding, replacing any. A custom
// host another organization has gives ECONFLICT.
func (q *Queries) PutBranding(ctx context.Context, orgID int64, b waybill.Branding) error {
	doc, err := json.Marshal(storedBranding{DisplayName: b.DisplayName, LogoURL: b.LogoURL, AccentColor: b.AccentColor,
		SupportEmail: b.SupportEmail, SupportURL: b.SupportURL, Language: b.Language, TimeZone: b.TimeZone,
		HideCourier: b.HideCourier, CourierMessage: b.CourierMessage, MaskLocations: b.MaskLocations,
		LocationMessage: b.LocationMessage})
	if err != nil {
		return fmt.Errorf("encode branding: %w", err)
	}
	var host any
	if b.CustomHost != "" {
		host = b.CustomHost
		var owner int64
		err := q.q.QueryRowContext(ctx, `SELECT org_id FROM org_pages WHERE custom_host = $1`, b.CustomHost).Scan(&owner)
		if err == nil && owner != orgID {
			return waybill.Errorf(waybill.ECONFLICT, "custom_host %s belongs to another organization.", b.CustomHost)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check custom host: %w", err)
		}
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO org_pages (org_id, custom_host, settings, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id) DO UPDATE SET custom_host = excluded.custom_host, settings = excluded.settings,
		updated_at = excluded.updated_at`, orgID, host, string(doc), toMicros(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store branding of organization %d: %w", orgID, err)
	}
	return nil
}

// PortalOrg is an organization as its portal needs it.
type PortalOrg struct {
	Org      waybill.Organization
	Branding waybill.Branding
}

const portalOrgQuery = `SELECT o.id, o.name, o.created_at, p.settings, p.custom_host, p.updated_at
	FROM organizations o LEFT JOIN org_pages p ON p.org_id = o.id WHERE `

// PortalOrgByHost returns the organization whose custom host is host, or
// ENOTFOUND. It reads across organizations: a host names one.
func (q *Queries) PortalOrgByHost(ctx context.Context, host string) (PortalOrg, error) {
	return q.scanPortalOrg(q.q.QueryRowContext(ctx, portalOrgQuery+`o.id = (SELECT org_id FROM org_pages WHERE custom_host = $1)`, host))
}

// PortalOrgByName returns the organization with that name and its
// branding, or ENOTFOUND.
func (q *Queries) PortalOrgByName(ctx context.Context, name string) (PortalOrg, error) {
	return q.scanPortalOrg(q.q.QueryRowContext(ctx, portalOrgQuery+`o.name = $1`, name))
}

func (q *Queries) scanPortalOrg(row *sql.Row) (PortalOrg, error) {
	var p PortalOrg
	var created int64
	var settings, host sql.NullString
	var updated sql.NullInt64
	err := row.Scan(&p.Org.ID, &p.Org.Name, &created, &settings, &host, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, waybill.Errorf(waybill.ENOTFOUND, "No such tracking portal.")
	} else if err != nil {
		return p, fmt.Errorf("get portal organization: %w", err)
	}
	p.Org.CreatedAt = fromMicros(created)
	p.Branding, err = decodeBranding(settings, host, updated)
	return p, err
}

// PageTrackings are the trackings one page shows with their organization's
// branding.
type PageTrackings struct {
	OrgID     int64
	OrgName   string
	Branding  waybill.Branding
	Trackings []waybill.Tracking
	// Version (set by TrackingPage and TrackingPageUnlessSeen, the reads of
	// a token's page) identifies what the read returned: every column of every row
	// (the documents, the branding row, the organization's id, which fixes
	// its name). Two reads
	// with the same Version returned the same data, so whatever is derived
	// from one (a rendered page) may be reused for the other; any committed
	// change to a row the read returns gives another Version.
	Version PageVersion
	// Seen is set when the caller's seen function reported Version; only
	// Version is set then.
	Seen bool
}

// PageVersion is a 128-bit fingerprint of a page read (two 64-bit maphash
// sums with independent random seeds, over each column with its length).
// The zero value means none was taken.
type PageVersion [2]uint64

// pageVersionSeeds are the fingerprint's seeds, random per process: a
// version is only compared within the process that computed it.
var pageVersionSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// pageVersioner sums the columns of a page read as they are scanned.
type pageVersioner struct{ h [2]maphash.Hash }

func newPageVersioner() *pageVersioner {
	var v pageVersioner
	v.h[0].SetSeed(pageVersionSeeds[0])
	v.h[1].SetSeed(pageVersionSeeds[1])
	return &v
}

// add sums one column; the length first, so that column boundaries count.
func (v *pageVersioner) add(s string) {
	v.addLen(len(s))
	for i := range v.h {
		_, _ = v.h[i].WriteString(s)
	}
}

func (v *pageVersioner) addLen(n int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	for i := range v.h {
		_, _ = v.h[i].Write(b[:])
	}
}

func (v *pageVersioner) addInt(x int64, valid bool) {
	var n [9]byte
	binary.LittleEndian.PutUint64(n[:8], uint64(x))
	if valid {
		n[8] = 1
	}
	for i := range v.h {
		_, _ = v.h[i].Write(n[:])
	}
}

func (v *pageVersioner) addNull(s sql.NullString) {
	v.addInt(0, s.Valid)
	v.add(s.String)
}

// addTrackingColumns sums the columns a page read and a tracking read both
// return, in the order both sum them.
func (v *pageVersioner) addTrackingColumns(seq int64, publicID string, orgID, created, updated int64, doc string, token sql.NullString) {
	v.addInt(seq, true)
	v.add(publicID)
	v.addInt(orgID, true)
	v.addInt(created, true)
	v.addInt(updated, true)
	v.add(doc)
	v.addNull(token)
}

// addRow sums every column of one row of a page read. The organization's
// name is not a column of the read: it is fixed by the organization's id,
// which is summed.
func (v *pageVersioner) addRow(r *pageRow) {
	v.addTrackingColumns(r.seq, r.publicID, r.orgID, r.created, r.updated, r.doc, r.pageToken)
	v.addBrandingColumns(r.settings, r.host, r.brandingUpdated)
}

// addBrandingColumns sums the organization's branding columns a page read
// returns after addTrackingColumns' (a batched read sums them from pgx's
// buffer, addRow from a scanned row: one order for both).
func (v *pageVersioner) addBrandingColumns(settings, host sql.NullString, updated sql.NullInt64) {
	v.addNull(settings)
	v.addNull(host)
	v.addInt(updated.Int64, updated.Valid)
}

func (v *pageVersioner) sum() PageVersion { return PageVersion{v.h[0].Sum64(), v.h[1].Sum64()} }

const pageColumns = `t.id, t.public_id, t.org_id, t.created_at, t.updated_at, t.doc, t.page_token,
	p.settings, p.custom_host, p.updated_at`

// pageJoins brings in the organization's branding. The organization's
// name is not joined: names never change, so it comes from orgName, kept
// in process (orgs.go); on PostgreSQL that join was about a quarter of
// the statement's database CPU.
const pageJoins = ` LEFT JOIN org_pages p ON p.org_id = t.org_id `

// TrackingPage returns the tracking whose page token is token, with its
// organization's branding, in one indexed read; ENOTFOUND when no tracking
// has that token. With order set it returns every tracking of the same
// order (the token's first), still in one read. On PostgreSQL, outside a
// transaction, concurrent reads of tokens' own pages (order unset) share
// one statement per batch, each from a read that began after its call
// (pages_groupread.go).
func (q *Queries) TrackingPage(ctx context.Context, token string, order bool) (PageTrackings, error) {
	if !order && q.pageReads != nil {
		return q.readTokenPage(ctx, nil, token)
	}
	return q.readTokenPageAlone(ctx, nil, token, order)
}

// TrackingPageUnlessSeen is TrackingPage, except that when seen reports
// the read's Version (the caller holds what it derived from that very
// data), it returns the Version alone with Seen set: the same one read,
// without decoding the documents.
func (q *Queries) TrackingPageUnlessSeen(ctx context.Context, token string, order bool, seen func(PageVersion) bool) (PageTrackings, error) {
	if !order && q.pageReads != nil {
		return q.readTokenPage(ctx, seen, token)
	}
	return q.readTokenPageAlone(ctx, seen, token, order)
}

// readTokenPageAlone reads a token's page (its order's with order set) in
// a statement of its own. On SQLite the read does not watch ctx's
// cancellation once it has started: watching cost database/sql a goroutine
// per query (Rows.awaitDone) and modernc.org/sqlite one more with an
// interrupt registration, as it did the get by id (uncancelled), and the
// read is bounded (one row by its unique token, or one order's
// trackings through their index), so nothing is gained by interrupting it
// when the visitor goes.
func (q *Queries) readTokenPageAlone(ctx context.Context, seen func(PageVersion) bool, token string, order bool) (PageTrackings, error) {
	if err := ctx.Err(); err != nil {
		return PageTrackings{}, fmt.Errorf("read page trackings: %w", err)
	}
	return q.readPage(q.uncancelled(ctx), newPageVersioner(), seen, trackingPageQuery(order), token)
}

func trackingPageQuery(order bool) string {
	if order {
		// The token's tracking, and its order's other trackings found
		// through (org_id, order_id); the token's own comes first.
		// s.order_id <> '' follows from k's, but SQLite uses the partial
		// trackings_org_order (migration 00031) only when the query
		// states its condition on s itself.
		return `SELECT ` + pageColumns + ` FROM trackings t` + pageJoins + `
			WHERE t.id IN (SELECT id FROM trackings WHERE page_token = $1
				UNION SELECT s.id FROM trackings k JOIN trackings s ON s.org_id = k.org_id AND s.order_id = k.order_id
				WHERE k.page_token = $1 AND k.order_id <> '' AND s.order_id <> '')
			ORDER BY CASE WHEN t.page_token = $1 THEN 0 ELSE 1 END, t.created_at, t.id`
	}
	return `SELECT ` + pageColumns + ` FROM trackings t` + pageJoins + `WHERE t.page_token = $1`
}

// OrderTrackings returns the organization's trackings whose order id or
// order number is order, in the order they were stored, with the
// organization's branding.
func (q *Queries) OrderTrackings(ctx context.Context, orgID int64, order string) (PageTrackings, error) {
	return q.pageTrackings(ctx, orderTrackingsQuery(q.engine), orgID, order)
}

func orderTrackingsQuery(engine string) string {
	// On SQLite, the first condition is trackings_org_order_number's
	// (migration 00031), which holds only the documents with the key.
	number := `instr(doc, '"order_number"') > 0 AND json_extract(doc, '$.order_number')`
	if engine == Postgres {
		number = `((doc::jsonb) ->> 'order_number')`
	}
	// A union rather than an OR, so that each half uses its own index.
	// order_id <> '' lets SQLite use trackings_org_order, which holds only
	// the trackings with an order id (an empty order is no order).
	return `SELECT ` + pageColumns + ` FROM trackings t` + pageJoins + `
		WHERE t.id IN (SELECT id FROM trackings WHERE org_id = $1 AND order_id = $2 AND order_id <> ''
			UNION SELECT id FROM trackings WHERE org_id = $1 AND ` + number + ` = $2)
		ORDER BY t.id LIMIT 50`
}

// NumberTrackings returns the organization's trackings with that (normalized)
// tracking number, one per courier, in the order they were stored, with the
// organization's branding.
func (q *Queries) NumberTrackings(ctx context.Context, orgID int64, number string) (PageTrackings, error) {
	pt, err := q.pageTrackings(ctx, numberTrackingsQuery, orgID, number)
	// Sorted here: an ORDER BY would tempt the planner into walking the
	// organization's trackings by time instead of finding the number.
	slices.SortStableFunc(pt.Trackings, func(a, b waybill.Tracking) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return pt, err
}

const numberTrackingsQuery = `SELECT ` + pageColumns + ` FROM trackings t` + pageJoins + `
	WHERE t.org_id = $1 AND t.tracking_number = $2 LIMIT 20`

// pageRow is one row of a page read, as scanned: the tracking's columns
// (trackingColumns), then its organization's branding.
type pageRow struct {
	trackingRow
	settings, host  sql.NullString
	brandingUpdated sql.NullInt64
}

// pageTrackings reads the rows of a page that is never kept (an order's
// trackings, a lookup by number): no Version.
func (q *Queries) pageTrackings(ctx context.Context, query string, args ...any) (PageTrackings, error) {
	return q.readPage(ctx, nil, nil, query, args...)
}

// readPage reads the rows of a page; with ver, it sums them into the
// Version, and when seen (if set) reports that Version it returns only the
// Version with Seen set, skipping the decode.
func (q *Queries) readPage(ctx context.Context, ver *pageVersioner, seen func(PageVersion) bool, query string, args ...any) (PageTrackings, error) {
	var one [1]pageRow
	raw := one[:0]
	err := q.readRows(ctx, query, args, func(scan func(dest ...any) error) error {
		var r pageRow
		if err := scan(r.dest()...); err != nil {
			return fmt.Errorf("read page tracking: %w", err)
		}
		raw = append(raw, r)
		return nil
	})
	if err != nil {
		return PageTrackings{}, fmt.Errorf("read page trackings: %w", err)
	}
	return q.pageOf(ctx, raw, ver, seen)
}

func (r *pageRow) dest() []any {
	// One slice, not trackingRow.dest()'s grown: a view reads a row each.
	return []any{&r.seq, &r.publicID, &r.orgID, &r.created, &r.updated, &r.doc, &r.pageToken,
		&r.settings, &r.host, &r.brandingUpdated}
}

// pageOf makes the page of the rows a read returned (readPage's).
func (q *Queries) pageOf(ctx context.Context, raw []pageRow, ver *pageVersioner, seen func(PageVersion) bool) (PageTrackings, error) {
	var out PageTrackings
	if ver == nil {
		seen = nil
	} else {
		for i := range raw {
			ver.addRow(&raw[i])
		}
		out.Version = ver.sum()
	}
	if len(raw) > 0 && seen != nil && seen(out.Version) {
		out.Seen = true
		return out, nil
	}
	return q.decodePage(ctx, raw, out)
}

// decodePage decodes the rows of a page read into out, whose Version (if
// any) is already set.
func (q *Queries) decodePage(ctx context.Context, raw []pageRow, out PageTrackings) (PageTrackings, error) {
	for i, r := range raw {
		// Through the decoded-document cache the lists use: a page viewed
		// again skips the decode, and a changed document is decoded afresh.
		t, err := q.listed.decode(r.seq, r.doc)
		if err != nil {
			return out, fmt.Errorf("decode tracking %s: %w", r.publicID, err)
		}
		t.ID, t.OrgID, t.PageToken = r.publicID, r.orgID, r.pageToken.String
		t.CreatedAt, t.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
		if i == 0 {
			out.OrgID = r.orgID
			if out.OrgName, err = q.orgName(ctx, r.orgID); err != nil {
				return out, err
			}
			if out.Branding, err = decodeBranding(r.settings, r.host, r.brandingUpdated); err != nil {
				return out, err
			}
		}
		out.Trackings = append(out.Trackings, t)
	}
	return out, nil
}

// OrderSale returns the organization's sale whose external id or reference
// is order, with its lines; ENOTFOUND when there is none.
func (q *Queries) OrderSale(ctx context.Context, orgID int64, order string) (waybill.Sale, []waybill.SaleItem, error) {
	ss, err := q.Sales(ctx, orgID, []Cond{{Column: "external_id", Values: []any{order}}}, Page{Limit: 1})
	if err != nil {
		return waybill.Sale{}, nil, err
	}
	if len(ss) == 0 {
		return waybill.Sale{}, nil, waybill.Errorf(waybill.ENOTFOUND, "Order not found.")
	}
	items, err := q.SaleItems(ctx, orgID, []Cond{{Column: "sale_id", Values: []any{ss[0].ID}}}, Page{})
	return ss[0], items, err
}
