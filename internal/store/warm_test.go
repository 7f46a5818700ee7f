package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestWarmOpensEveryConnection checks that Warm opens every connection
// the pools may hold, all at once (one at a time, the pool would hand the
// same connection back again), and that each plans every warm-up
// statement on the migrated schema: a statement the schema no longer
// matches fails the warm-up.
func TestWarmOpensEveryConnection(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			st := testdb.Open(t, engine)
			if engine != store.Postgres {
				if r := st.Warm(context.Background()); r.Wanted != 0 || !r.Complete() {
					t.Fatalf("Warm on %s = %+v, want nothing to do", engine, r)
				}
				return
			}
			st.LimitPools(4, 3)
			r := st.Warm(context.Background())
			if !r.Complete() || r.Wanted != 7 || r.Planned != 7 {
				t.Fatalf("Warm = %+v, want 7 connections wanted and planned, no error", r)
			}
			if open := st.Writer().Stats().OpenConnections; open != 4 {
				t.Errorf("request pool: %d connections open after Warm, want 4", open)
			}
			if open := st.ForWorkers().Writer().Stats().OpenConnections; open != 3 {
				t.Errorf("workers' pool: %d connections open after Warm, want 3", open)
			}
			// Warm again: all open already, all planned again, none opened.
			if r := st.Warm(context.Background()); !r.Complete() || r.Opened != 0 {
				t.Errorf("second Warm = %+v, want complete with no connection opened", r)
			}
		})
	}
}

// TestWarmGivesUpOnAnUnresponsiveDatabase checks that Warm returns when
// its context ends although the database accepts no new connection (a
// proxy holds them unanswered), reports the warm-up incomplete, and
// leaves the store working on the connections it had.
func TestWarmGivesUpOnAnUnresponsiveDatabase(t *testing.T) {
	dbURL := testdb.URL(t, store.Postgres)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newStallingProxy(t, u.Host)
	u.Host = proxy.addr()
	ctx := context.Background()
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine())); err != nil {
		t.Fatal(err)
	}
	st.LimitPools(4, 3)
	proxy.stall.Store(true)

	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	r := st.Warm(wctx)
	cancel()
	if r.Complete() || r.Err == nil || r.Planned >= r.Wanted {
		t.Fatalf("Warm = %+v, want an incomplete warm-up with its error", r)
	}
	if ok, err := st.Migrated(ctx); err != nil || !ok {
		t.Fatalf("the store after an incomplete warm-up: Migrated = %v, %v; want it working", ok, err)
	}
}

// stallingProxy forwards TCP connections to a server until stall is set;
// from then on it accepts new connections and never answers them.
type stallingProxy struct {
	ln    net.Listener
	stall atomic.Bool
	mu    sync.Mutex
	conns []net.Conn
}

func newStallingProxy(t *testing.T, target string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			if p.stall.Load() {
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	return p
}

func (p *stallingProxy) addr() string { return p.ln.Addr().String() }

// TestWarmPreparesWhatRequestsRun checks that a statement Warm prepared is
// the one a request then runs on that connection: the store's query adds
// no prepared statement of its own. It fails when the store's text and
// the warm-up's drift apart, or when pgx names its cached statements
// otherwise than Warm does (the request would then prepare its own).
func TestWarmPreparesWhatRequestsRun(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	st.LimitPools(1, 1) // one connection: every query below runs on it
	if r := st.Warm(ctx); !r.Complete() {
		t.Fatalf("Warm = %+v, want complete", r)
	}
	prepared := func() int {
		var n int
		if err := st.Writer().QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	prepared() // the count's own statement is prepared on its first run
	before := prepared()
	if _, _, err := st.Read().NotificationSettings(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read().OnportLinksByTracking(ctx, 1, "none"); err != nil {
		t.Fatal(err)
	}
	if after := prepared(); after != before {
		t.Errorf("%d prepared statements after two warmed reads, want %d: the reads prepared their own", after, before)
	}
}

// TestWarmPreparesTheBatchedReads checks that the single-tracking reads a
// loaded server runs most (a v4 get by id and a token's page, each alone
// and in a batch of several) find their statements prepared by Warm: none
// of them adds a prepared statement on the one connection. It fails when
// a batched read's text drifts from the one Warm prepares.
func TestWarmPreparesTheBatchedReads(t *testing.T) {
	st, org, tr := postgresWithOneTracking(t)
	ctx := context.Background()
	// Every batch of one waits for a token on release after its
	// statement: the reads started meanwhile form a batch of their own.
	held, release := make(chan int), make(chan struct{})
	if !st.HoldBatchedReads(func(keys int) {
		if keys == 1 {
			held <- keys
			<-release
		}
	}) {
		t.Fatal("PostgreSQL store without batched reads")
	}
	st.LimitPools(1, 1)
	if r := st.Warm(ctx); !r.Complete() {
		t.Fatalf("Warm = %+v, want complete", r)
	}
	var n int
	prepared := func() int {
		if err := st.Writer().QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	prepared()
	// A page names its organization, read once per organization (not one
	// of Warm's): its statement is prepared here, before the count.
	if _, err := st.Read().OrgByID(ctx, org.ID); err != nil {
		t.Fatal(err)
	}
	before := prepared()
	for name, read := range map[string]func() error{
		"tracking by id": func() error {
			got, _, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, tr.ID)
			if err == nil && got.ID != tr.ID {
				err = fmt.Errorf("read %s, want %s", got.ID, tr.ID)
			}
			return err
		},
		"token's page": func() error {
			p, err := st.Read().TrackingPage(ctx, tr.PageToken, false)
			if err == nil && (len(p.Trackings) != 1 || p.Trackings[0].ID != tr.ID) {
				err = fmt.Errorf("read %+v, want %s", p.Trackings, tr.ID)
			}
			return err
		},
	} {
		errs := make(chan error, 3)
		go func() { errs <- read() }()
		<-held // the lone read's statement ran
		for range 2 {
			go func() { errs <- read() }()
		}
		st.WaitBatchedReadsQueued(2)
		release <- struct{}{}
		for range 3 {
			if err := <-errs; err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if s := st.ReadBatchStats(); s != (store.GroupReadStats{Batches: 4, Keys: 6}) {
		t.Errorf("stats %+v; want a read alone and a batch of two of each kind", s)
	}
	if after := prepared(); after != before {
		t.Errorf("%d prepared statements after the reads, want %d: a read prepared its own", after, before)
	}
}

// TestWarmPreparesWhatDeliveriesRun checks that the statements a webhook
// attempt's record and a given-back claim run on the workers' pool (the
// clearing of an endpoint's failing mark, the release of handed-off
// deliveries, the deferral of a claim), and the Onport ingester's poll on
// the request pool, find their statements prepared by Warm: none adds a
// prepared statement on its pool's one connection. It fails when the
// store's text and the warm-up's drift apart.
func TestWarmPreparesWhatDeliveriesRun(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	st.LimitPools(1, 1)
	if r := st.Warm(ctx); !r.Complete() {
		t.Fatalf("Warm = %+v, want complete", r)
	}
	for _, pool := range []struct {
		name string
		st   *store.Store
		run  func(q *store.Queries) error
	}{
		{"workers", st.ForWorkers(), func(q *store.Queries) error {
			now := time.Now()
			return errors.Join(
				q.ClearFailing(ctx, []store.EndpointKey{{OrgID: 1, Seq: 1}}, now),
				q.ReleaseClaims(ctx, []store.DeliveryKey{{OrgID: 1, ID: 1}}, now, now),
				q.DeferClaim(ctx, store.DeliveryKey{OrgID: 1, ID: 1}, now, now))
		}},
		{"requests", st, func(q *store.Queries) error {
			_, err := q.PendingInboundChannels(ctx)
			return err
		}},
	} {
		prepared := func() int {
			var n int
			if err := pool.st.Writer().QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		prepared() // the count's own statement is prepared on its first run
		before := prepared()
		if err := pool.run(pool.st.Write()); err != nil {
			t.Fatal(err)
		}
		if after := prepared(); after != before {
			t.Errorf("%s pool: %d prepared statements after the warmed statements, want %d: they prepared their own", pool.name, after, before)
		}
	}
}
