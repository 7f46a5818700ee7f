package main

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
)

// stallingUPS is the fake UPS, except that while stall is set a tracking
// request is held (never answered) and reported on asked.
type stallingUPS struct {
	next  http.Handler
	mu    sync.Mutex
	stall bool
	asked chan string
}

func (s *stallingUPS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	number, isTrack := strings.CutPrefix(r.URL.Path, "/api/track/v1/details/")
	s.mu.Lock()
	stall := s.stall && isTrack
	s.mu.Unlock()
	if stall {
		s.asked <- number
		<-r.Context().Done() // held until the caller goes away
		return
	}
	s.next.ServeHTTP(w, r)
}

// TestPollClaimOutlivesKilledProcess: a process killed with SIGKILL while
// it makes a poll it claimed (the carrier was asked, nothing applied)
// leaves the claim in the tracking's row, and the next process on the
// database makes that poll and writes the next one in the row. On SQLite
// the next process releases its predecessor's claims at start; on
// PostgreSQL another instance takes them once their 90 s lease ends
// (TestScaleOutRunsEachJobOnce).
func TestPollClaimOutlivesKilledProcess(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers
	const key = "wb_test_bootstrap_key_0001"
	const number = "1Z999AA10123456784"
	fake := &stallingUPS{next: upsfake.New(nil), stall: true, asked: make(chan string, 4)}
	ups := httptest.NewServer(fake)
	t.Cleanup(ups.Close)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "waybill.db")
	p := startServe(t, dbURL, "WAYBILL_SECRET_KEY="+secretbox.GenerateKey(), "WAYBILL_CARRIER_UPS_URL="+ups.URL,
		"WAYBILL_POLL_SCALE=0.0001", "WAYBILL_LOG_LEVEL=warn")
	if status, body := p.callDated(t, "POST", "/tracking/2026-07/courier-connections", map[string]any{"courier_slug": "ups",
		"credentials": map[string]any{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret}}); status != 201 {
		t.Fatalf("create connection: %d %v", status, body)
	}
	status, body := p.call(t, "POST", "/v4/trackings", key, map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": number}})
	if status != 201 {
		t.Fatalf("create tracking: %d %v", status, body)
	}
	id := body["data"].(map[string]any)["tracking"].(map[string]any)["id"].(string)
	select {
	case got := <-fake.asked:
		if got != number {
			t.Fatalf("UPS asked about %s, want %s", got, number)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the first poll did not reach UPS:\n%s", p.stderr)
	}
	p.kill(t)

	st, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	readRow := func() (due sql.NullInt64, tracked int, tag string) {
		t.Helper()
		var orgID int64
		if err := st.Writer().QueryRowContext(t.Context(), `SELECT t.org_id, s.due FROM trackings t LEFT JOIN poll_schedule s ON s.public_id = t.public_id WHERE t.public_id = $1`, id).Scan(&orgID, &due); err != nil {
			t.Fatal(err)
		}
		tr, err := st.Read().Tracking(t.Context(), orgID, id)
		if err != nil {
			t.Fatal(err)
		}
		return due, tr.TrackedCount, string(tr.Tag)
	}
	// The claim outlives its process: the row holds the lease's end,
	// beyond now, and the poll was not applied.
	if due, tracked, _ := readRow(); !due.Valid || !time.UnixMicro(due.Int64).After(time.Now()) || tracked != 0 {
		t.Fatalf("after the kill: next_poll_due %v, tracked %d; want a claim's lease end and 0", due, tracked)
	}

	fake.mu.Lock()
	fake.stall = false
	fake.mu.Unlock()
	p.restart(t)
	// The claimed poll is made, and the later ones from the row, until
	// the journey's end takes the tracking out of the schedule.
	eventually(t, "the tracking to be delivered by polls after the kill", 2*time.Minute, func() bool {
		_, _, tag := readRow()
		return tag == "Delivered"
	})
	if due, tracked, _ := readRow(); due.Valid || tracked != upsfake.Steps {
		t.Errorf("delivered: next_poll_due %v, tracked %d; want none and %d", due, tracked, upsfake.Steps)
	}
}
