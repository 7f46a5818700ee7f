package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
// the delivery's key, for the job that carries it out; claimable makes its
// first attempt due at now for ClaimDueDeliveries instead (no job).
func (q *Queries) InsertDelivery(ctx context.Context, orgID, eventSeq, endpointSeq int64, now time.Time, claimable bool) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `INSERT INTO deliveries (org_id, event_id, endpoint_id, status, created_at, updated_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`, orgID, eventSeq, endpointSeq, DeliveryPending, toMicros(now), dueAt(now, claimable)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert delivery: %w", err)
	}
	return id, nil
}

// InsertDeliveries records that an event must reach each of endpoints,
// with one statement, and returns the deliveries' keys (in no particular
// order), for the jobs that carry them out (claimable: see InsertDelivery).
func (q *Queries) InsertDeliveries(ctx context.Context, orgID, eventSeq int64, endpoints []int64, now time.Time, claimable bool) ([]int64, error) {
	return q.insertDeliveryIDs(ctx, orgID, len(endpoints), func(i int) (int64, int64) { return eventSeq, endpoints[i] }, now, claimable)
}

// InsertPairDeliveries records that the i-th of events must reach the
// i-th of endpoints (a run of events, each to the endpoints that receive
// it), with one statement per 1,000 deliveries, and returns the
// deliveries' keys (in no particular order). claimable: see InsertDelivery.
func (q *Queries) InsertPairDeliveries(ctx context.Context, orgID int64, events, endpoints []int64, now time.Time, claimable bool) ([]int64, error) {
	if len(events) != len(endpoints) {
		return nil, fmt.Errorf("insert deliveries: %d events for %d endpoints", len(events), len(endpoints))
	}
	return q.insertDeliveryIDs(ctx, orgID, len(events), func(i int) (int64, int64) { return events[i], endpoints[i] }, now, claimable)
}

// InsertEventDeliveries records that each of events must reach one
// endpoint (a replay), with one statement per 1,000 events, and returns
// the deliveries' keys (in no particular order). claimable: see
// InsertDelivery.
func (q *Queries) InsertEventDeliveries(ctx context.Context, orgID, endpointSeq int64, events []int64, now time.Time, claimable bool) ([]int64, error) {
	return q.insertDeliveryIDs(ctx, orgID, len(events), func(i int) (int64, int64) { return events[i], endpointSeq }, now, claimable)
}

// insertDeliveries inserts n pending deliveries, the i-th of event and
// endpoint pair(i), their first attempt due at due (a due_at value:
// dueAt's, or the end of a claim), in statements of at most 1,000 rows,
// and returns them with their pairs, in no particular order.
func (q *Queries) insertDeliveries(ctx context.Context, orgID int64, n int, pair func(i int) (event, endpoint int64), now time.Time, due any) ([]ClaimedDelivery, error) {
	const rowsPerStatement = 1000
	out := make([]ClaimedDelivery, 0, n)
	for from := 0; from < n; from += rowsPerStatement {
		args := []any{orgID, DeliveryPending, toMicros(now), due}
		for i := from; i < min(n, from+rowsPerStatement); i++ {
			event, endpoint := pair(i)
			args = append(args, event, endpoint)
		}
		rows, err := q.q.QueryContext(ctx, insertDeliveriesSQL((len(args)-4)/2), args...)
		if err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
		for rows.Next() {
			var d ClaimedDelivery
			if err := rows.Scan(&d.ID, &d.EventSeq, &d.EndpointSeq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert deliveries: %w", err)
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
	}
	return out, nil
}

// insertDeliveryIDs is insertDeliveries for callers that need only the
// deliveries' keys (claimable: see InsertDelivery).
func (q *Queries) insertDeliveryIDs(ctx context.Context, orgID int64, n int, pair func(i int) (event, endpoint int64), now time.Time, claimable bool) ([]int64, error) {
	dels, err := q.insertDeliveries(ctx, orgID, n, pair, now, dueAt(now, claimable))
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(dels))
	for i, d := range dels {
		ids[i] = d.ID
	}
	return ids, nil
}

// ClaimedDelivery is an inserted delivery with its pair
// (InsertClaimedDeliveries).
type ClaimedDelivery struct{ ID, EventSeq, EndpointSeq int64 }

// InsertClaimedDeliveries records that the i-th of events must reach the
// i-th of endpoints, as InsertPairDeliveries does, for a process that
// makes their first attempts itself once the transaction commits: each is
// inserted claimed until claimedUntil, as if ClaimDueDeliveries had claimed
// it at its insert, so that no other process takes it before then, and any
// process does after (the inserting one died or let it go, see
// ReleaseClaims). Each pair must appear once; the deliveries come back
// with their pairs, in no particular order.
func (q *Queries) InsertClaimedDeliveries(ctx context.Context, orgID int64, events, endpoints []int64, now, claimedUntil time.Time) ([]ClaimedDelivery, error) {
	if len(events) != len(endpoints) {
		return nil, fmt.Errorf("insert deliveries: %d events for %d endpoints", len(events), len(endpoints))
	}
	return q.insertDeliveries(ctx, orgID, len(events), func(i int) (int64, int64) { return events[i], endpoints[i] }, now, toMicros(claimedUntil))
}

// deliveryQuery reads a delivery with its event and endpoint in one
// statement: a delivery attempt starts with it.
var deliveryQuery = `SELECT d.status, d.attempts, ` + prefixColumns("e.", eventColumns) + `, ` + prefixColumns("w.", endpointColumns) + `
	FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.org_id = d.org_id AND w.id = d.endpoint_id
	WHERE d.org_id = $1 AND d.id = $2`

// prefixColumns qualifies each column of a comma-separated list.
func prefixColumns(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// Delivery loads a delivery with its event and endpoint. A delivery whose
// endpoint was deleted is ENOTFOUND.
func (q *Queries) Delivery(ctx context.Context, orgID, id int64) (Delivery, error) {
	d := Delivery{ID: id, OrgID: orgID}
	var ev eventRow
	var ep endpointRow
	dest := append(append([]any{&d.Status, &d.Attempts}, ev.dest()...), ep.dest()...)
	if err := q.q.QueryRowContext(ctx, deliveryQuery, orgID, id).Scan(dest...); err != nil {
		if isNoRows(err) {
			return d, waybill.Errorf(waybill.ENOTFOUND, "Delivery does not exist.")
		}
		return d, fmt.Errorf("load delivery %d: %w", id, err)
	}
	var err error
	d.EventSeq, d.EndpointSeq = ev.seq, ep.seq
	if d.Event, err = ev.event(); err != nil {
		return d, err
	}
	if d.Endpoint, err = ep.endpoint(); err != nil {
		return d, err
	}
	return d, nil
}

// DeliveryKey names a delivery by its organization and key.
type DeliveryKey struct{ OrgID, ID int64 }

// deliveriesQuery reads many deliveries with their events and endpoints in
// one statement; the keys arrive as arrays (PostgreSQL) or a JSON array
// (SQLite), so the text is the same for every number of keys. Each key
// carries its organization: a delivery is found only under its own.
//
// On PostgreSQL each key is looked up on its own (LATERAL; OFFSET 0 keeps
// the planner from flattening the subquery into a join of the tables): by
// the deliveries' primary key, then the event's and the endpoint's. As a
// plain join, the cached generic plan (the statement is prepared, and
// PostgreSQL switches to a generic plan after five runs) guessed ten keys
// and walked each key's organization's endpoints' deliveries
// (deliveries_endpoint), which grows with every delivery ever made: 356 ms
// for 300 keys among 5,000 deliveries, against 3 ms this way.
var (
	deliveriesPostgres = `SELECT x.* FROM unnest($1::bigint[], $2::bigint[]) AS k(org_id, id) CROSS JOIN LATERAL (
	SELECT d.org_id, d.id, d.status, d.attempts, ` + prefixColumns("e.", eventColumns) + `, ` + prefixColumns("w.", endpointColumns) + `
	FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.org_id = d.org_id
	WHERE d.id = k.id AND d.org_id = k.org_id OFFSET 0) AS x`
	deliveriesSQLite = `SELECT d.org_id, d.id, d.status, d.attempts, ` + prefixColumns("e.", eventColumns) + `, ` + prefixColumns("w.", endpointColumns) + `
	FROM (SELECT j.value->>0 AS org_id, j.value->>1 AS id FROM json_each($1) AS j) AS k
	JOIN deliveries d ON d.org_id = k.org_id AND d.id = k.id
	JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.org_id = d.org_id AND w.id = d.endpoint_id`
)

// Deliveries loads the deliveries of keys with their events and endpoints,
// with one statement whatever their number (attempts that start together
// read together). A key with no delivery in its organization, or whose
// endpoint was deleted, is absent from the map; that is not an error.
func (q *Queries) Deliveries(ctx context.Context, keys []DeliveryKey) (map[DeliveryKey]Delivery, error) {
	out := make(map[DeliveryKey]Delivery, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	pairs := make([][2]int64, len(keys))
	for i, k := range keys {
		pairs[i] = [2]int64{k.OrgID, k.ID}
	}
	query := deliveriesSQLite
	if q.engine == Postgres {
		query = deliveriesPostgres
	}
	found, err := q.scanDeliveries(ctx, query, q.orgKeysArgs(pairs)...)
	if err != nil {
		return nil, fmt.Errorf("load %d deliveries: %w", len(keys), err)
	}
	for _, d := range found {
		out[DeliveryKey{OrgID: d.OrgID, ID: d.ID}] = d
	}
	return out, nil
}

// scanDeliveries runs query, whose rows are a delivery's organization,
// key, status and attempts, then its event's eventColumns and its
// endpoint's endpointColumns, and returns the deliveries in their order.
// An event's payload is decoded once for all its deliveries among the
// rows (an event reaches each endpoint of its organization, and they are
// claimed and read together): the deliveries share its Event, as those a
// push hands off do.
func (q *Queries) scanDeliveries(ctx context.Context, query string, args ...any) ([]Delivery, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	type eventKey struct{ orgID, seq int64 }
	decoded := map[eventKey]waybill.Event{}
	for rows.Next() {
		var d Delivery
		var ev eventRow
		var ep endpointRow
		dest := append(append([]any{&d.OrgID, &d.ID, &d.Status, &d.Attempts}, ev.dest()...), ep.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		d.EventSeq, d.EndpointSeq = ev.seq, ep.seq
		k := eventKey{d.OrgID, ev.seq}
		var ok bool
		if d.Event, ok = decoded[k]; !ok {
			if d.Event, err = ev.event(); err != nil {
				return nil, err
			}
			decoded[k] = d.Event
		}
		if d.Endpoint, err = ep.endpoint(); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AttemptRecord is one finished attempt of a delivery and the state it
// leaves the delivery in.
type AttemptRecord struct {
	OrgID      int64
	DeliveryID int64
	Attempt    waybill.DeliveryAttempt
	Status     string    // DeliveryPending, DeliverySucceeded or DeliveryFailed
	NextAt     time.Time // the next attempt, when Status is DeliveryPending
}

// FinishAttempts records attempts and their deliveries' new states, in
// input order (a recorded delivery is no longer claimable, see
// ClaimDueDeliveries), with one statement (PostgreSQL) or two (SQLite)
// whatever their number (a delivery attempt's bookkeeping is
// group-committed). An attempt whose delivery no longer exists (its
// endpoint was deleted meanwhile) is left out; it is not an error.
func (q *Queries) FinishAttempts(ctx context.Context, recs []AttemptRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if q.engine == Postgres {
		if _, err := q.q.ExecContext(ctx, recordAttemptsPostgres, attemptArrays(recs)...); err != nil {
			return fmt.Errorf("record %d attempts: %w", len(recs), err)
		}
		return nil
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		a := r.Attempt
		rows[i] = []any{r.OrgID, r.DeliveryID, a.Attempt, a.StatusCode, a.Outcome, a.Latency.Microseconds(), a.Error,
			a.ResponseExcerpt, toMicros(a.CreatedAt), r.Status, toMicros(r.NextAt)}
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("record attempts: %w", err)
	}
	if _, err := q.q.ExecContext(ctx, finishAttemptsSQLite, string(doc)); err != nil {
		return fmt.Errorf("record %d attempts: %w", len(recs), err)
	}
	if _, err := q.q.ExecContext(ctx, updateDeliveriesSQLite, string(doc)); err != nil {
		return fmt.Errorf("update %d deliveries: %w", len(recs), err)
	}
	return nil
}

// The batch arrives on PostgreSQL as one array per column, so that the
// statement's text (and its prepared plan) is the same for every size.
const attemptsUnnest = `unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::text[],
	$8::text[], $9::bigint[], $10::text[], $11::bigint[]) WITH ORDINALITY
	AS u(org_id, delivery_id, attempt, status_code, outcome, latency_us, error, response, created_at, status, next_at, ord)`

// recordAttemptsPostgres updates the batch's deliveries and inserts their
// attempts in one statement: the update returns each delivery's endpoint
// and event, which the insert takes, rather than a second statement
// looking the deliveries up again. The update names the deliveries by
// their keys twice: in the join, and as "d.id = ANY($2)", which the
// planner matches to the primary key (the join alone got a sequential
// scan of deliveries once the batch was a few hundred, see
// deliveriesQuery).
const recordAttemptsPostgres = `WITH u AS (SELECT * FROM ` + attemptsUnnest + `),
	d AS (UPDATE deliveries d SET status = u.status, attempts = u.attempt, next_attempt_at = u.next_at,
	updated_at = u.created_at, due_at = NULL FROM u WHERE d.id = ANY($2::bigint[]) AND d.org_id = u.org_id AND d.id = u.delivery_id
	RETURNING d.org_id, d.id, d.endpoint_id, d.event_id)
	INSERT INTO delivery_attempts (org_id, delivery_id, endpoint_id, event_id, attempt,
	status_code, outcome, latency_us, error, response, created_at)
	SELECT d.org_id, d.id, d.endpoint_id, d.event_id, u.attempt, u.status_code, u.outcome, u.latency_us, u.error, u.response, u.created_at
	FROM u JOIN d ON d.id = u.delivery_id AND d.org_id = u.org_id ORDER BY u.ord`

func attemptArrays(recs []AttemptRecord) []any {
	n := len(recs)
	org, del, attempt, code, latency, created, next := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n),
		make([]int64, n), make([]int64, n), make([]int64, n)
	outcome, errText, response, status := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range recs {
		a := r.Attempt
		org[i], del[i], attempt[i], code[i], latency[i] = r.OrgID, r.DeliveryID, int64(a.Attempt), int64(a.StatusCode), a.Latency.Microseconds()
		outcome[i], errText[i], response[i] = a.Outcome, a.Error, a.ResponseExcerpt
		created[i], status[i], next[i] = toMicros(a.CreatedAt), r.Status, toMicros(r.NextAt)
	}
	return []any{org, del, attempt, code, outcome, latency, errText, response, created, status, next}
}

// On SQLite the batch is one JSON array of rows, read with json_each.
const attemptsJSON = `(SELECT j.key AS ord, j.value->>0 AS org_id, j.value->>1 AS delivery_id, j.value->>2 AS attempt,
	j.value->>3 AS status_code, j.value->>4 AS outcome, j.value->>5 AS latency_us, j.value->>6 AS error, j.value->>7 AS response,
	j.value->>8 AS created_at, j.value->>9 AS status, j.value->>10 AS next_at FROM json_each($1) AS j) AS u`

const finishAttemptsSQLite = `INSERT INTO delivery_attempts (org_id, delivery_id, endpoint_id, event_id, attempt,
	status_code, outcome, latency_us, error, response, created_at)
	SELECT d.org_id, d.id, d.endpoint_id, d.event_id, u.attempt, u.status_code, u.outcome, u.latency_us, u.error, u.response, u.created_at
	FROM ` + attemptsJSON + ` JOIN deliveries d ON d.org_id = u.org_id AND d.id = u.delivery_id ORDER BY u.ord`

const updateDeliveriesSQLite = `UPDATE deliveries SET status = u.status, attempts = u.attempt, next_attempt_at = u.next_at,
	updated_at = u.created_at, due_at = NULL FROM ` + attemptsJSON + ` WHERE deliveries.org_id = u.org_id AND deliveries.id = u.delivery_id`

// EndpointKey names an endpoint by its organization and internal key.
type EndpointKey struct{ OrgID, Seq int64 }

// ClearFailing marks endpoints as no longer failing (a delivery to each
// succeeded at the given time). Only endpoints marked failing are written,
// in one statement, without reading them first: the common case of a
// healthy endpoint costs an index probe and no write.
func (q *Queries) ClearFailing(ctx context.Context, endpoints []EndpointKey, at time.Time) error {
	if len(endpoints) == 0 {
		return nil
	}
	pairs := make([][2]int64, len(endpoints))
	for i, k := range endpoints {
		pairs[i] = [2]int64{k.OrgID, k.Seq}
	}
	query := `UPDATE webhook_endpoints SET failing_since = 0, updated_at = $2
		FROM (SELECT j.value->>0 AS org_id, j.value->>1 AS id FROM json_each($1) AS j) AS k
		WHERE webhook_endpoints.org_id = k.org_id AND webhook_endpoints.id = k.id AND webhook_endpoints.failing_since <> 0`
	if q.engine == Postgres {
		query = clearFailingPostgresSQL
	}
	args := append(q.orgKeysArgs(pairs), toMicros(at))
	if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("clear failing endpoints: %w", err)
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

// orgKeysArgs passes (organization, id) pairs as a statement's first
// arguments: two arrays for unnest($1::bigint[], $2::bigint[]) on
// PostgreSQL, one JSON array of pairs for json_each($1) on SQLite.
func (q *Queries) orgKeysArgs(pairs [][2]int64) []any {
	if q.engine == Postgres {
		orgs, ids := make([]int64, len(pairs)), make([]int64, len(pairs))
		for i, p := range pairs {
			orgs[i], ids[i] = p[0], p[1]
		}
		return []any{orgs, ids}
	}
	doc, _ := json.Marshal(pairs) // pairs of integers always encode
	return []any{string(doc)}
}

// insertDeliveriesSQL is insertDeliveries' statement for n rows: the
// organization, status, time and due time are $1 to $4, each row's event
// and endpoint the next two parameters. Warm prepares it for the row
// counts of small organizations.
func insertDeliveriesSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO deliveries (org_id, event_id, endpoint_id, status, created_at, updated_at, due_at) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "($1, $%d, $%d, $2, $3, $3, $4)", 5+2*i, 6+2*i)
	}
	sb.WriteString(` RETURNING id, event_id, endpoint_id`)
	return sb.String()
}
