package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/waybillhq/waybill"
)

// warmFirstWrites runs, on conn, the writes of a checkpoint push that
// creates a tracking, in a transaction it always rolls back: an
// organization of its own (so that nothing it writes is seen by, or waits
// for, another organization's work), an endpoint, the tracking with its
// poll schedule, its update, an event and its delivery. EXPLAIN (what
// planStatements runs) plans an INSERT but does not execute it; a
// backend's first execution of each insert costs far more than later ones
// (the trigram index's library loaded, each index's first insertion, the
// foreign keys' checks planned: 7–12 ms for the first insert into
// trackings against 0.6 ms for the second, session 17), which a fresh
// server's 32 request connections otherwise paid inside its first
// pushes. Nothing is committed; the rows' keys are new random ones, so
// concurrent warm-ups never wait on each other.
func (s *Store) warmFirstWrites(ctx context.Context, conn *sql.Conn) (err error) {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warm writes: begin: %w", err)
	}
	defer func() {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("warm writes: rollback: %w", rbErr))
		}
	}()
	q := s.queries(s.writer, sqlTx, nil)
	now := time.Now().UTC()
	org, err := q.CreateOrg(ctx, "waybill warm-up "+NewPublicID(), now)
	if err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	ep := waybill.WebhookEndpoint{OrgID: org.ID, URL: "http://127.0.0.1:9/warm-up", APIVersion: "2026-07",
		Events: []string{"tracking_update"}, CreatedAt: now, UpdatedAt: now}
	if err := q.InsertEndpoint(ctx, &ep); err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	_, endpoints, err := q.Endpoints(ctx, org.ID)
	if err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	t := waybill.Tracking{OrgID: org.ID, Slug: "ups", TrackingNumber: "1Z" + NewPublicID(), Tag: waybill.TagPending,
		Active: true, CreatedAt: now, UpdatedAt: now, LastUpdatedAt: now, NextPollAt: now.Add(time.Hour)}
	if err := q.InsertTrackingPollDue(ctx, &t, t.NextPollAt); err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	t.Tag = waybill.TagInTransit
	if err := q.UpdateTrackingNextPoll(ctx, &t, now.Add(2*time.Hour)); err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	e := waybill.Event{OrgID: org.ID, Type: "tracking_update", TrackingID: t.ID, Tag: t.Tag, Tracking: &t, CreatedAt: now}
	seq, err := q.InsertEvent(ctx, &e)
	if err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	if _, err := q.InsertDeliveries(ctx, org.ID, seq, endpoints, now, true); err != nil {
		return fmt.Errorf("warm writes: %w", err)
	}
	return nil
}
