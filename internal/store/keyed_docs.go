package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// keyedDocs is a table of JSON documents (doc) that an organization's
// rows keep unique by one more column (key) besides their public id:
// tracker providers by name, tracker locations by external id.
type keyedDocs struct {
	table, key, noun string
	notFound         func() error
	taken            func(key string) error // the ECONFLICT of a key in use
}

// keyedDoc is one row of a keyedDocs table; v is encoded as its doc.
type keyedDoc struct {
	publicID         string
	orgID            int64
	key              string
	v                any
	created, updated time.Time
}

// insertKeyedDoc inserts d, or gives t.taken when the organization
// already has a row with d's key (the table's unique index decides).
func (q *Queries) insertKeyedDoc(ctx context.Context, t keyedDocs, d keyedDoc) error {
	doc, err := json.Marshal(d.v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", t.noun, err)
	}
	var id int64
	err = q.q.QueryRowContext(ctx, `INSERT INTO `+t.table+` (public_id, org_id, `+t.key+`, doc, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
		d.publicID, d.orgID, d.key, string(doc), toMicros(d.created), toMicros(d.updated)).Scan(&id)
	if isNoRows(err) {
		return t.taken(d.key)
	} else if err != nil {
		return fmt.Errorf("insert %s: %w", t.noun, err)
	}
	return nil
}

// updateKeyedDoc writes d over the organization's row with d's public
// id: t.notFound when there is none, t.taken when another row has d's
// key.
func (q *Queries) updateKeyedDoc(ctx context.Context, t keyedDocs, d keyedDoc) error {
	doc, err := json.Marshal(d.v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", t.noun, err)
	}
	var taken int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.table+` WHERE org_id = $1 AND `+t.key+` = $2 AND public_id <> $3`,
		d.orgID, d.key, d.publicID).Scan(&taken); err != nil {
		return fmt.Errorf("check %s %s: %w", t.noun, t.key, err)
	}
	if taken > 0 {
		return t.taken(d.key)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE `+t.table+` SET `+t.key+` = $1, doc = $2, updated_at = $3 WHERE org_id = $4 AND public_id = $5`,
		d.key, string(doc), toMicros(d.updated), d.orgID, d.publicID)
	if err != nil {
		return fmt.Errorf("update %s: %w", t.noun, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.notFound()
	}
	return nil
}
