package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/waybillhq/waybill"
)

// SeedOptions say what Seed writes. It is for benchmarks: `waybill bench
// seed` fills a database with it.
type SeedOptions struct {
	// Trackings is how many trackings to write, spread over OrgIDs in turn
	// (tracking i belongs to OrgIDs[i % len(OrgIDs)]).
	Trackings int
	// OrgIDs are existing organizations; Seed gives each a webhook
	// endpoint and a commerce channel.
	OrgIDs []int64
	// Now is the seed's present: trackings are created over [Now-Span, Now].
	Now  time.Time
	Span time.Duration
	// Seed makes the data repeatable: the same options write the same rows.
	Seed uint64
	// Batch is how many trackings (with their rows) commit together.
	Batch int
	// InboundEvery gives one inbound message (an api log) per that many
	// trackings; 0 writes none.
	InboundEvery int
	// Progress, when set, is told how many trackings are committed after
	// each batch.
	Progress func(done int)
	// Polls, when set, is called after each batch commits with the
	// batch's active trackings and the time their next poll is due, so
	// that the caller queues the polls (the store does not know the queue).
	Polls func(ctx context.Context, polls []SeedPoll) error
}

// SeedPoll is one active tracking's next poll.
type SeedPoll struct {
	OrgID      int64
	TrackingID string
	Due        time.Time
}

// SeedResult counts what Seed wrote.
type SeedResult struct {
	Trackings, Checkpoints, Events, Deliveries, Attempts, Inbound, Polls int
}

var (
	seedTrackings = &bulkTable{"trackings", []string{"id", "public_id", "org_id", "slug", "tracking_number", "tag", "active",
		"origin_iso3", "destination_iso3", "order_id", "search_text", "return_to_sender", "delivery_days", "created_at",
		"updated_at", "doc", "last_info_at", "page_token"}}
	seedEvents = &bulkTable{"events", []string{"id", "public_id", "org_id", "type", "tracking_id", "tag", "first_tag",
		"payload", "created_at", "channel_id"}}
	seedDeliveries = &bulkTable{"deliveries", []string{"id", "org_id", "event_id", "endpoint_id", "status", "attempts",
		"next_attempt_at", "created_at", "updated_at"}}
	seedAttempts = &bulkTable{"delivery_attempts", []string{"id", "org_id", "delivery_id", "endpoint_id", "event_id",
		"attempt", "status_code", "outcome", "latency_us", "error", "response", "created_at"}}
	seedInbound = &bulkTable{"inbound_messages", []string{"id", "org_id", "channel_id", "kind", "priority", "external_id",
		"body", "received_at", "status", "errors", "result", "processed_at"}}
	// seedOrder is the order of writes: a row after the rows it refers to.
	seedOrder = []*bulkTable{seedTrackings, seedEvents, seedDeliveries, seedAttempts, seedInbound}
)

// seedBatch is one transaction's worth of rows.
type seedBatch struct {
	rows    bulkRows
	polls   []SeedPoll
	count   SeedResult
	err     error
	through int // trackings written once this batch commits
}

// Seed writes synthetic trackings, each with a few checkpoints, one
// tracking_update event delivered (successfully, at the first attempt) to
// its organization's webhook endpoint, and, every InboundEvery trackings,
// a processed inbound message; then, through opts.Polls, the next poll of
// each active tracking. It writes straight into the schema in large
// transactions (COPY on PostgreSQL), so it is for empty benchmark
// databases: it takes the next free keys when it starts and must not run
// beside a server that writes. A failure leaves the batches already
// committed in place.
func (s *Store) Seed(ctx context.Context, opts SeedOptions) (SeedResult, error) {
	var res SeedResult
	if len(opts.OrgIDs) == 0 || opts.Trackings < 0 {
		return res, errors.New("seed: no organizations, or a negative number of trackings")
	}
	opts.Batch = max(opts.Batch, 1)
	if opts.Span <= 0 {
		opts.Span = 180 * 24 * time.Hour
	}
	type orgTargets struct{ endpoint, channel int64 }
	targets := make([]orgTargets, len(opts.OrgIDs))
	q := s.Write()
	for i, org := range opts.OrgIDs {
		ep := waybill.WebhookEndpoint{OrgID: org, URL: fmt.Sprintf("http://127.0.0.1:9/hooks/%d", org),
			Events: []string{waybill.EventTrackingUpdate}, Tags: []waybill.Tag{}, APIVersion: "2026-07",
			Secrets: []waybill.WebhookSecret{{Secret: NewPublicID(), CreatedAt: opts.Now}}, Enabled: true, CreatedAt: opts.Now, UpdatedAt: opts.Now}
		if err := q.InsertEndpoint(ctx, &ep); err != nil {
			return res, err
		}
		_, seq, err := q.EndpointSeq(ctx, org, ep.ID)
		if err != nil {
			return res, err
		}
		ch := waybill.Channel{OrgID: org, Name: "Shop", WebhookHash: NewPublicID(), CreatedAt: opts.Now}
		if err := q.InsertChannel(ctx, &ch); err != nil {
			return res, err
		}
		targets[i] = orgTargets{seq, ch.ID}
	}
	next := map[*bulkTable]int64{}
	for _, t := range seedOrder {
		var id int64
		if err := s.writer.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t.name).Scan(&id); err != nil {
			return res, fmt.Errorf("seed: last key of %s: %w", t.name, err)
		}
		next[t] = id
	}
	key := func(t *bulkTable) int64 { next[t]++; return next[t] }

	indexes, err := dropSeedIndexes(ctx, s.writer, s.engine, seedOrder)
	if err != nil {
		return res, err
	}
	built := false
	defer func() {
		if !built { // a failed seed still leaves the schema whole
			createSeedIndexes(context.WithoutCancel(ctx), s.writer, s.engine, indexes) //nolint:errcheck // the seed's own error is returned
		}
	}()

	var w bulkWriter = sqliteBulk{s.writer}
	if s.engine == Postgres {
		pw, err := newPGBulk(ctx, s.writer)
		if err != nil {
			return res, err
		}
		w = pw
	} else {
		// A larger page cache for the writer keeps the indexes' hot pages
		// in memory while the random keys (public ids, tokens) go in.
		if _, err := s.writer.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
			return res, fmt.Errorf("seed: cache size: %w", err)
		}
		defer s.writer.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000") //nolint:errcheck // the default again
		// No fsync per batch: a seed that fails is started again on an
		// empty database anyway. The store's FULL again afterwards.
		if _, err := s.writer.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
			return res, fmt.Errorf("seed: synchronous: %w", err)
		}
		defer s.writer.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL") //nolint:errcheck // the store's setting again
	}
	defer w.close()

	// One goroutine makes the rows (JSON encoding is most of the work)
	// while this one writes the previous batch.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan seedBatch, 2)
	go func() {
		defer close(batches)
		g := &seedGen{rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed)), now: opts.Now.UTC(), span: opts.Span}
		for start := 0; start < opts.Trackings; start += opts.Batch {
			b := seedBatch{rows: bulkRows{}, through: min(start+opts.Batch, opts.Trackings)}
			for i := start; i < b.through; i++ {
				oi := i % len(opts.OrgIDs)
				if b.err = seedOne(g, &b, i, opts, opts.OrgIDs[oi], oi, targets[oi].endpoint, targets[oi].channel, key); b.err != nil {
					break
				}
			}
			select {
			case batches <- b:
			case <-gctx.Done():
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	for b := range batches {
		if b.err != nil {
			return res, b.err
		}
		if err := w.write(ctx, seedOrder, b.rows); err != nil {
			return res, err
		}
		res.add(b.count)
		if opts.Polls != nil && len(b.polls) > 0 {
			if err := opts.Polls(ctx, b.polls); err != nil {
				return res, err
			}
			res.Polls += len(b.polls)
		}
		if opts.Progress != nil {
			opts.Progress(b.through)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	built = true
	if err := createSeedIndexes(ctx, s.writer, s.engine, indexes); err != nil {
		return res, err
	}
	if s.engine == Postgres {
		// Keys were given explicitly: move each identity past them.
		for _, t := range seedOrder {
			if _, err := s.writer.ExecContext(ctx, fmt.Sprintf(
				`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), GREATEST((SELECT MAX(id) FROM %[1]s), 1))`, t.name)); err != nil {
				return res, fmt.Errorf("seed: move the keys of %s: %w", t.name, err)
			}
			// VACUUM as well as ANALYZE: it sets the visibility map, as
			// autovacuum does on a database that has been running, so that
			// a count of an organization's trackings reads its index only.
			// Without it that count read a heap page per tracking (9,172 pages,
			// 2.6 s, for 10,000 trackings of one organization out of a million).
			if _, err := s.writer.ExecContext(ctx, "VACUUM (ANALYZE) "+t.name); err != nil {
				return res, fmt.Errorf("seed: vacuum %s: %w", t.name, err)
			}
		}
	} else if _, err := s.writer.ExecContext(ctx, "ANALYZE"); err != nil {
		return res, fmt.Errorf("seed: analyze: %w", err)
	}
	return res, nil
}

func (r *SeedResult) add(o SeedResult) {
	r.Trackings += o.Trackings
	r.Checkpoints += o.Checkpoints
	r.Events += o.Events
	r.Deliveries += o.Deliveries
	r.Attempts += o.Attempts
	r.Inbound += o.Inbound
}

// seedOne adds the rows of tracking i to b.
func seedOne(g *seedGen, b *seedBatch, i int, opts SeedOptions, orgID int64, orgIndex int, endpointSeq, channelID int64,
	key func(*bulkTable) int64) error {
	t := g.tracking(i, opts.Trackings, orgID, orgIndex)
	doc, err := json.Marshal(docOf(&t))
	if err != nil {
		return fmt.Errorf("seed: encode tracking: %w", err)
	}
	b.rows.add(seedTrackings, key(seedTrackings), t.ID, orgID, t.Slug, t.TrackingNumber, string(t.Tag), t.Active,
		t.OriginCountryISO3, t.DestinationCountryISO3, t.OrderID, searchText(&t), t.ReturnToSender, deliveryDays(&t),
		toMicros(t.CreatedAt), toMicros(t.UpdatedAt), string(doc), toMicros(t.LastUpdatedAt), t.PageToken)
	b.count.Trackings++
	b.count.Checkpoints += len(t.Checkpoints)

	e := waybill.Event{ID: g.uuid(), OrgID: orgID, Type: waybill.EventTrackingUpdate, TrackingID: t.ID, Tag: t.Tag,
		FirstTag: len(t.Checkpoints) == 1, Tracking: &t, CreatedAt: t.UpdatedAt}
	payload, err := encodeEvent(&e)
	if err != nil {
		return fmt.Errorf("seed: encode event: %w", err)
	}
	eventSeq := key(seedEvents)
	at := toMicros(e.CreatedAt)
	b.rows.add(seedEvents, eventSeq, e.ID, orgID, e.Type, e.TrackingID, string(e.Tag), e.FirstTag, string(payload), at, int64(0))
	deliverySeq := key(seedDeliveries)
	b.rows.add(seedDeliveries, deliverySeq, orgID, eventSeq, endpointSeq, DeliverySucceeded, int64(1), int64(0), at, at+40_000)
	latency := int64(5_000 + g.rng.IntN(80_000))
	b.rows.add(seedAttempts, key(seedAttempts), orgID, deliverySeq, endpointSeq, eventSeq, int64(1), int64(200), "success",
		latency, "", `{"ok":true}`, at+latency)
	b.count.Events++
	b.count.Deliveries++
	b.count.Attempts++

	if opts.InboundEvery > 0 && i%opts.InboundEvery == 0 {
		body := fmt.Sprintf(`{"id":"sale-%d","orderNumber":%q,"customer":{"email":"customer%d@example.com","firstName":"Alex","lastName":"Kim"},`+
			`"items":[{"id":"line-%d-1","sku":"SKU-%d","quantity":1,"price":"29.90"}],"shippingAddress":{"city":%q,"country":%q}}`,
			i, t.OrderNumber, i, i, i%500, t.DestinationCity, t.DestinationCountryISO3)
		received := toMicros(t.CreatedAt.Add(-6 * time.Hour))
		b.rows.add(seedInbound, key(seedInbound), orgID, channelID, waybill.InboundManualSale, int64(waybill.InboundPriorityNew),
			fmt.Sprintf("sale-%d", i), []byte(body), received, waybill.InboundDone, "", "", received+120_000)
		b.count.Inbound++
	}
	if t.Active && !t.NextPollAt.IsZero() {
		b.polls = append(b.polls, SeedPoll{OrgID: orgID, TrackingID: t.ID, Due: t.NextPollAt})
	}
	return nil
}

// uuid returns a version 4 UUID from the seed's generator.
func (g *seedGen) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
