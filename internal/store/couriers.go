package store

import (
	"context"
	"fmt"
)

// ActivatedCouriers returns the slugs the organization has activated, sorted.
func (q *Queries) ActivatedCouriers(ctx context.Context, orgID int64) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT slug FROM org_couriers WHERE org_id = $1 ORDER BY slug`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list activated couriers: %w", err)
	}
	defer rows.Close()
	var slugs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("list activated couriers: %w", err)
		}
		slugs = append(slugs, s)
	}
	return slugs, rows.Err()
}

// ActivateCouriers adds slugs to the organization's activated set; slugs
// already there are left as they are.
func (q *Queries) ActivateCouriers(ctx context.Context, orgID int64, slugs []string) error {
	for _, s := range slugs {
		if _, err := q.q.ExecContext(ctx,
			`INSERT INTO org_couriers (org_id, slug) VALUES ($1, $2) ON CONFLICT (org_id, slug) DO NOTHING`, orgID, s); err != nil {
			return fmt.Errorf("activate courier %s: %w", s, err)
		}
	}
	return nil
}

// SetActivatedCouriers replaces the organization's activated set with
// slugs; an empty slugs clears it, which means every courier (see
// tracking.Service.Activated). Run it in a transaction.
func (q *Queries) SetActivatedCouriers(ctx context.Context, orgID int64, slugs []string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM org_couriers WHERE org_id = $1`, orgID); err != nil {
		return fmt.Errorf("clear activated couriers: %w", err)
	}
	return q.ActivateCouriers(ctx, orgID, slugs)
}
