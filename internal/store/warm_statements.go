package store

// The statements Warm prepares and plans on each new connection. Most are
// the store's own, from the constants its queries use: a request running
// one of them finds it prepared on its connection (no round trip to parse
// it on first use), so each must stay byte for byte the store's text. The
// others are statements on the same tables, keys and clauses as the
// store's: planning them still loads what the store's need (each table's
// and index's catalog entries, the key columns' statistics, the operators
// and the foreign keys' targets). Only PostgreSQL runs them.

// warmRequestStatements are planned on the request pool's connections: a
// checkpoint push (authentication, the tracking's read, insert and
// update, its poll schedule, the tracker, links and settings it consults,
// the event and its deliveries to the organization's endpoints) and the
// single-tracking reads: a v4 get by id and a token's page, alone and in
// a batch (groupReads). The batched reads run under load, on the few
// connections their loops hold; unprepared, a fresh server's first
// batches each paid a parse round trip and a first plan with a cold
// catalog on those connections while callers queued behind them.
var warmRequestStatements = []string{
	apiKeyByPrefixSQL,
	apiKeyGenerationSQL,
	`SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE`,
	trackingByPublicIDSQL,
	trackingAtGenerationSQL,
	trackingsAtGenerationSQL,
	trackingPageQuery(false),
	trackingPagesSQL,
	trackingByNumberSQL + ` FOR UPDATE`,
	insertTrackingSQL,
	insertWithPollDue(insertTrackingSQL, "$18"),
	updateTrackingSQL,
	updateTrackingScheduleSQL,
	updateTrackingUnscheduleSQL,
	trackingByPublicIDSQL + ` FOR UPDATE`,
	schedulePollSQL,
	trackingUnderPollClaimSQL() + ` FOR UPDATE`,
	claimPollsPostgres,
	trackerByTrackingSQL,
	onportLinksByTrackingSQL,
	firstConnectionSQL,
	notificationSettingsSQL,
	endpointsByOrgSQL,
	insertEventSQL,
	insertDeliveriesSQL(1), insertDeliveriesSQL(2), insertDeliveriesSQL(3), insertDeliveriesSQL(4), insertDeliveriesSQL(5),
	insertDeliveriesSQL(6), insertDeliveriesSQL(7), insertDeliveriesSQL(8), insertDeliveriesSQL(9), insertDeliveriesSQL(10),
	// The Onport ingester polls it on the request pool: each connection it
	// lands on prepared it in the first seconds of traffic.
	pendingInboundChannelsSQL,
}

// warmWorkerStatements are planned on the workers' pool's connections: a
// webhook delivery's claim and read, its record (with the clearing of its
// endpoint's failing mark, which every record of a success runs), the
// release or deferral of a claim the hand-off or an attempt gives back,
// and the job queue's table. The record's, release's and deferral's are the
// store's own texts: a fresh server's first records and releases on each
// connection prepared them (session 16's trace: 53 prepares on the
// workers' pool after the first push, the clearing's among them, its
// warm-up text having drifted from the store's).
var warmWorkerStatements = []string{
	claimAndReadPostgres,
	deliveryQuery,
	recordAttemptsPostgres,
	clearFailingPostgresSQL,
	releaseClaimsPostgresSQL,
	deferClaimSQL,
	`SELECT id, kind, state, scheduled_at FROM river_job WHERE state = 'available' AND queue = $1 AND scheduled_at <= $2
		ORDER BY priority, scheduled_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
}

// Statements of the store's that Warm prepares too (warmRequestStatements):
// one constant each, so that the text Warm prepares is the text the store
// runs.
const (
	apiKeyByPrefixSQL     = `SELECT k.hash, o.id, o.name, o.created_at FROM api_keys k JOIN organizations o ON o.id = k.org_id WHERE k.prefix = $1`
	apiKeyGenerationSQL   = `SELECT generation FROM api_key_generation WHERE id = 1`
	trackingByPublicIDSQL = `SELECT ` + trackingColumns + ` FROM trackings WHERE org_id = $1 AND public_id = $2`
	trackerByTrackingSQL  = `SELECT doc FROM trackers WHERE org_id = $1 AND tracking_id = $2`
	endpointsByOrgSQL     = `SELECT ` + endpointColumns + ` FROM webhook_endpoints WHERE org_id = $1 ORDER BY id`
)

// Statements of the store's that Warm prepares on the workers' pool
// (warmWorkerStatements), and the Onport ingester's poll on the request
// pool.
const (
	clearFailingPostgresSQL = `UPDATE webhook_endpoints w SET failing_since = 0, updated_at = $3
			FROM unnest($1::bigint[], $2::bigint[]) AS k(org_id, id)
			WHERE w.org_id = k.org_id AND w.id = k.id AND w.failing_since <> 0`
	releaseClaimsPostgresSQL = `UPDATE deliveries d SET due_at = $3 FROM unnest($1::bigint[], $2::bigint[]) AS k(org_id, id)
			WHERE d.id = ANY($2::bigint[]) AND d.org_id = k.org_id AND d.id = k.id AND d.due_at = $4`
	deferClaimSQL             = `UPDATE deliveries SET due_at = $3 WHERE org_id = $1 AND id = $2 AND due_at = $4`
	pendingInboundChannelsSQL = `SELECT DISTINCT channel_id FROM inbound_messages WHERE status = $1`
)
