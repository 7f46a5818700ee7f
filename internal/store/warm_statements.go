package store

// The statements Warm plans on each new connection. They are the store's
// own where the store keeps them in a constant, and otherwise statements
// on the same tables, keys and clauses as the store's: what planning
// loads into a backend (each table's and index's catalog entries, the
// key columns' statistics, the operators and the foreign keys' targets)
// is the same, so a statement that differs a little from the store's
// still warms what that one needs. Only PostgreSQL runs them.

// warmRequestStatements are planned on the request pool's connections: a
// checkpoint push (authentication, the tracking's read, insert and
// update, its poll schedule, the tracker, links and settings it consults,
// the event and its deliveries to the organization's endpoints) and the
// single-tracking reads.
var warmRequestStatements = []string{
	`SELECT k.hash, o.id, o.name, o.created_at FROM api_keys k JOIN organizations o ON o.id = k.org_id WHERE k.prefix = $1`,
	`SELECT generation FROM api_key_generation WHERE id = 1`,
	`SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE`,
	`SELECT ` + trackingColumns + ` FROM trackings WHERE org_id = $1 AND public_id = $2`,
	`SELECT ` + trackingColumns + ` FROM trackings WHERE org_id = $1 AND slug = $2 AND tracking_number = $3 FOR UPDATE`,
	`INSERT INTO trackings (public_id, org_id, slug, tracking_number, tag, active, created_at, updated_at, doc, page_token)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (org_id, slug, tracking_number) DO NOTHING`,
	updateTrackingSQL,
	schedulePollSQL,
	`UPDATE poll_schedule SET due = $3 WHERE org_id = $1 AND public_id = $2 AND due IS NOT NULL`,
	`SELECT t.id FROM trackings t JOIN poll_schedule s ON s.public_id = t.public_id
		WHERE t.org_id = $1 AND t.public_id = $2 AND s.org_id = $1 AND s.due = $3 FOR UPDATE`,
	`SELECT doc FROM trackers WHERE org_id = $1 AND tracking_id = $2`,
	`SELECT connection_id, remote_id, dropshipment_id, updated_at FROM onport_links WHERE org_id = $1 AND tracking_id = $2`,
	`SELECT ` + connectionColumns + ` FROM courier_connections WHERE org_id = $1 AND slug = $2 ORDER BY id LIMIT $3`,
	`SELECT statuses, email, sms, delay_seconds, updated_at FROM notification_settings WHERE org_id = $1`,
	`SELECT ` + endpointColumns + ` FROM webhook_endpoints WHERE org_id = $1 ORDER BY id`,
	`INSERT INTO events (public_id, org_id, type, tracking_id, tag, first_tag, payload, created_at, channel_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
	`INSERT INTO deliveries (org_id, event_id, endpoint_id, status, created_at, updated_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`,
}

// warmWorkerStatements are planned on the workers' pool's connections: a
// webhook delivery's claim and read, its record, and the job queue's
// table.
var warmWorkerStatements = []string{
	claimAndReadPostgres,
	deliveryQuery,
	recordAttemptsPostgres,
	`UPDATE webhook_endpoints w SET failing_since = 0, updated_at = $2 WHERE w.id = ANY($1::bigint[]) AND w.failing_since <> 0`,
	`SELECT id, kind, state, scheduled_at FROM river_job WHERE state = 'available' AND queue = $1 AND scheduled_at <= $2
		ORDER BY priority, scheduled_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
}
