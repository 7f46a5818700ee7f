package store

import (
	"context"
	"fmt"
	"time"
)

// BudgetKey names one carrier connection's shared call budget: an
// organization's connection, or (OrgID 0, ConnectionID "") a connector that
// needs no credentials and so has one budget for everyone.
type BudgetKey struct {
	OrgID        int64
	Slug         string
	ConnectionID string
}

// BudgetTake is what TakeCarrierCall decided.
type BudgetTake struct {
	// Taken says one call was taken from the budget: the caller may make
	// it after Wait. When false, nothing was taken: the connection is
	// paused (PausedUntil) or would make the caller wait longer than it
	// was willing to (Wait).
	Taken bool
	Wait  time.Duration
	// PausedUntil is set when the connection is paused past now.
	PausedUntil time.Time
}

// TakeCarrierCall takes one call from key's token bucket (perSecond calls a
// second on average, bursts of at most burst), unless the connection is
// paused or the call could not be made within maxWait. Every instance on
// the database shares the bucket: a row of carrier_budgets, read under a
// row lock on PostgreSQL (on SQLite the writer takes turns anyway), so two
// instances never spend the same token. now is the caller's clock; a
// clock behind the last refill refills nothing.
func (s *Store) TakeCarrierCall(ctx context.Context, key BudgetKey, perSecond float64, burst int, maxWait time.Duration, now time.Time) (BudgetTake, error) {
	if perSecond <= 0 {
		return BudgetTake{Taken: true}, nil
	}
	var take BudgetTake
	nowUS := now.UnixMicro()
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO carrier_budgets (org_id, slug, connection_id, tokens, refilled_us)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, slug, connection_id) DO NOTHING`,
			key.OrgID, key.Slug, key.ConnectionID, float64(burst), nowUS); err != nil {
			return fmt.Errorf("carrier budget: %w", err)
		}
		var tokens float64
		var refilledUS, pausedUS int64
		if err := tx.q.QueryRowContext(ctx, tx.forUpdate(`SELECT tokens, refilled_us, paused_until_us FROM carrier_budgets
			WHERE org_id = $1 AND slug = $2 AND connection_id = $3`), key.OrgID, key.Slug, key.ConnectionID).
			Scan(&tokens, &refilledUS, &pausedUS); err != nil {
			return fmt.Errorf("carrier budget: %w", err)
		}
		if pausedUS > nowUS {
			take.PausedUntil = time.UnixMicro(pausedUS)
			return nil
		}
		if elapsed := nowUS - refilledUS; elapsed > 0 {
			tokens = min(float64(burst), tokens+float64(elapsed)/1e6*perSecond)
			refilledUS = nowUS
		}
		tokens--
		if tokens < 0 {
			take.Wait = time.Duration(-tokens / perSecond * float64(time.Second))
			if take.Wait > maxWait {
				return nil
			}
		}
		take.Taken = true
		if _, err := tx.q.ExecContext(ctx, `UPDATE carrier_budgets SET tokens = $4, refilled_us = $5
			WHERE org_id = $1 AND slug = $2 AND connection_id = $3`,
			key.OrgID, key.Slug, key.ConnectionID, tokens, refilledUS); err != nil {
			return fmt.Errorf("carrier budget: %w", err)
		}
		return nil
	})
	return take, err
}

// PauseCarrier pauses key's connection until until for every instance; a
// pause already longer stays.
func (s *Store) PauseCarrier(ctx context.Context, key BudgetKey, until time.Time) error {
	_, err := s.Write().q.ExecContext(ctx, `UPDATE carrier_budgets SET paused_until_us = $4
		WHERE org_id = $1 AND slug = $2 AND connection_id = $3 AND paused_until_us < $4`,
		key.OrgID, key.Slug, key.ConnectionID, until.UnixMicro())
	if err != nil {
		return fmt.Errorf("pause carrier connection: %w", err)
	}
	return nil
}
