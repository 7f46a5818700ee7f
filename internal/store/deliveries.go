package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed" // retries exhausted or endpoint disabled
)

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID          int64
	OrgID       int64
	Status      string
	Attempts    int
	Event       waybill.Event
	EventSeq    int64
	Endpoint    waybill.WebhookEndpoint
	EndpointSeq int64
}

// InsertDelivery records that an event must reach an endpoint and returns
// the delivery's key, for the job that carries it out.
func (q *Queries) InsertDelivery(ctx context.Context, orgID, eventSeq, endpointSeq int64, now time.Time) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `INSERT INTO deliveries (org_id, event_id, endpoint_id, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, orgID, eventSeq, endpointSeq, DeliveryPending, toMicros(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert delivery: %w", err)
	}
	return id, nil
}

// Delivery loads a delivery with its event and endpoint. A delivery whose
// endpoint was deleted is ENOTFOUND.
func (q *Queries) Delivery(ctx context.Context, orgID, id int64) (Delivery, error) {
	d := Delivery{ID: id, OrgID: orgID}
	var eventPayload string
	row := q.q.QueryRowContext(ctx, `SELECT d.status, d.attempts, d.event_id, e.payload, d.endpoint_id
		FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.org_id = $1 AND d.id = $2`, orgID, id)
	if err := row.Scan(&d.Status, &d.Attempts, &d.EventSeq, &eventPayload, &d.EndpointSeq); err != nil {
		if isNoRows(err) {
			return d, waybill.Errorf(waybill.ENOTFOUND, "Delivery does not exist.")
		}
		return d, fmt.Errorf("load delivery %d: %w", id, err)
	}
	var err error
	if d.Event, _, err = scanEvent(q.q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1`, d.EventSeq)); err != nil {
		return d, err
	}
	if d.Endpoint, _, err = scanEndpoint(q.q.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 AND id = $2`, orgID, d.EndpointSeq)); err != nil {
		return d, err
	}
	return d, nil
}

// FinishAttempt records an attempt and the delivery's new state.
func (q *Queries) FinishAttempt(ctx context.Context, d Delivery, a waybill.DeliveryAttempt, status string, nextAt time.Time) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO delivery_attempts (org_id, delivery_id, endpoint_id, event_id, attempt,
		status_code, outcome, latency_us, error, response, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.OrgID, d.ID, d.EndpointSeq, d.EventSeq, a.Attempt, a.StatusCode, a.Outcome, a.Latency.Microseconds(), a.Error,
		a.ResponseExcerpt, toMicros(a.CreatedAt)); err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE deliveries SET status = $1, attempts = $2, next_attempt_at = $3, updated_at = $4
		WHERE org_id = $5 AND id = $6`, status, a.Attempt, toMicros(nextAt), toMicros(a.CreatedAt), d.OrgID, d.ID); err != nil {
		return fmt.Errorf("update delivery %d: %w", d.ID, err)
	}
	return nil
}

// Attempts lists the organization's delivery attempts for one endpoint or
// one event (pass the other key as 0), newest first.
func (q *Queries) Attempts(ctx context.Context, orgID, endpointSeq, eventSeq int64, limit int) ([]waybill.DeliveryAttempt, error) {
	// The filters are added only when set, rather than as "($2 = 0 OR
	// a.endpoint_id = $2)", so that the planner can search the endpoint's
	// or the event's index instead of walking the organization's attempts.
	query := `SELECT a.id, w.public_id, e.public_id, a.attempt, a.status_code, a.outcome, a.latency_us,
		a.error, a.response, a.created_at FROM delivery_attempts a
		JOIN webhook_endpoints w ON w.id = a.endpoint_id JOIN events e ON e.id = a.event_id
		WHERE a.org_id = $1`
	args := []any{orgID}
	if endpointSeq != 0 {
		args = append(args, endpointSeq)
		query += " AND a.endpoint_id = $" + strconv.Itoa(len(args))
	}
	if eventSeq != 0 {
		args = append(args, eventSeq)
		query += " AND a.event_id = $" + strconv.Itoa(len(args))
	}
	args = append(args, limit)
	query += " ORDER BY a.id DESC LIMIT $" + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	var out []waybill.DeliveryAttempt
	for rows.Next() {
		var a waybill.DeliveryAttempt
		var latency, created int64
		if err := rows.Scan(&a.ID, &a.EndpointID, &a.EventID, &a.Attempt, &a.StatusCode, &a.Outcome, &latency, &a.Error,
			&a.ResponseExcerpt, &created); err != nil {
			return nil, fmt.Errorf("list attempts: %w", err)
		}
		a.Latency = time.Duration(latency) * time.Microsecond
		a.LatencyMS = float64(latency) / 1000
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	return out, rows.Err()
}
