package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestBenchSeed seeds 2,000 trackings over 4 organizations into each
// engine, checks what is stored, and that `waybill serve` lists, gets and
// shows them through its faces; then that `waybill bench scale` runs every
// kind of call on it without an error.
func TestBenchSeed(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			seed := func() ([]byte, error) {
				cmd := exec.Command(binary, "bench", "seed", "--database-url", dbURL, "--trackings", "2000", "--orgs", "4",
					"--batch", "300", "--quiet")
				return cmd.Output()
			}
			out, err := seed()
			if err != nil {
				t.Fatalf("bench seed: %v %s", err, exitStderr(err))
			}
			var rep seedReport
			if err := json.Unmarshal(out, &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			if rep.Trackings != 2000 || rep.Events != 2000 || rep.Deliveries != 2000 || rep.Attempts != 2000 ||
				rep.Inbound != 400 || len(rep.Orgs) != 4 || rep.Checkpoints < 2000 || rep.Polls == 0 {
				t.Fatalf("report counts: %+v", rep)
			}

			st, err := store.Open(t.Context(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			for table, want := range map[string]int{"trackings": 2000, "events": 2000, "deliveries": 2000,
				"delivery_attempts": 2000, "inbound_messages": 400, "organizations": 4, "webhook_endpoints": 4,
				"poll_schedule WHERE due IS NOT NULL": rep.Polls,
				"trackings WHERE active":              rep.Polls} {
				var n int
				if err := st.Writer().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != want {
					t.Errorf("%s: %d rows, want %d", table, n, want)
				}
			}
			// Nothing is left for the expiry sweep: a tracking with no news
			// for DefaultExpireAfter is seeded Expired, as the server's
			// hourly sweep would have left it, so a server started on the
			// seed does not expire (and send webhooks for) a batch of them.
			if stale, err := st.Read().StaleTrackings(t.Context(), rep.Now.Add(-waybill.DefaultExpireAfter), 10); err != nil {
				t.Fatal(err)
			} else if len(stale) != 0 {
				t.Errorf("%d active trackings with no news for %s after the seed, e.g. %+v", len(stale), waybill.DefaultExpireAfter, stale[0])
			}
			var expired int
			if err := st.Writer().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM trackings WHERE tag = 'Expired'").Scan(&expired); err != nil {
				t.Fatal(err)
			}
			if expired == 0 {
				t.Error("no Expired tracking in the seed")
			}
			if engine == store.Postgres {
				// The seed vacuums, as autovacuum would have, so that counts
				// of an organization's trackings read the index only. The
				// vacuum itself is checked, not the pages it marked
				// all-visible: a transaction of another test on the same
				// server, older than the seed's rows, keeps them from
				// being marked (a flake seen under CI's parallel tests).
				var vacuumed bool
				if err := st.Writer().QueryRowContext(t.Context(),
					"SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relid = 'trackings'::regclass").Scan(&vacuumed); err != nil {
					t.Fatal(err)
				}
				if !vacuumed {
					t.Error("trackings: never vacuumed after the seed")
				}
			}
			st.Close()

			if _, err := seed(); err == nil || !strings.Contains(exitStderr(err), "exists already") {
				t.Errorf("seeding twice: %v %s, want a refusal", err, exitStderr(err))
			}

			p := startServe(t, dbURL, "WAYBILL_RATE_LIMIT_SCALE=0")
			key := rep.Orgs[1].Key
			status, body := p.call(t, "GET", "/v4/trackings?limit=200", key, nil)
			if status != 200 {
				t.Fatalf("list: %d %v", status, body)
			}
			data := body["data"].(map[string]any)
			trackings := data["trackings"].([]any)
			if data["count"] != float64(500) || len(trackings) != 200 {
				t.Fatalf("list: count %v, %d trackings; want 500 and 200", data["count"], len(trackings))
			}
			first := trackings[0].(map[string]any)
			status, body = p.call(t, "GET", fmt.Sprintf("/v4/trackings/%s/%s", first["slug"], first["tracking_number"]), key, nil)
			if status != 200 || body["data"].(map[string]any)["tracking"].(map[string]any)["id"] != first["id"] {
				t.Fatalf("get by number: %d %v", status, body)
			}
			if cps := first["checkpoints"].([]any); len(cps) == 0 {
				t.Errorf("tracking %v has no checkpoints", first["id"])
			}
			status, body = p.call(t, "GET", "/v1/api-logs?limit=100", key, nil)
			if status != 200 {
				t.Fatalf("api logs: %d %v", status, body)
			}
			if status, _ := p.call(t, "GET", "/v4/trackings?limit=1", rep.Orgs[0].Key+"x", nil); status != 401 {
				t.Errorf("a wrong key: %d, want 401", status)
			}

			// bench scale makes every kind of call on the seeded database,
			// without an error.
			seedFile := filepath.Join(t.TempDir(), "seed.json")
			if err := os.WriteFile(seedFile, out, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(binary, "bench", "scale", "--database-url", dbURL, "--url", p.URL, "--seed-file", seedFile,
				"--pid", strconv.Itoa(p.cmd.Process.Pid), "--requests", "8", "--concurrency", "2")
			raw, err := cmd.Output()
			if err != nil {
				t.Fatalf("bench scale: %v %s", err, exitStderr(err))
			}
			var sc scaleReport
			if err := json.Unmarshal(raw, &sc); err != nil {
				t.Fatalf("scale report: %v\n%s", err, raw)
			}
			if sc.Trackings != 2000 || sc.DiskBytes <= 0 || sc.HWMKB <= 0 || len(sc.Ops) != 26 {
				t.Errorf("scale report: %d trackings, %d bytes, %d kB peak, %d calls", sc.Trackings, sc.DiskBytes, sc.HWMKB, len(sc.Ops))
			}
			for _, o := range sc.Ops {
				if o.Errors != 0 || o.Requests == 0 {
					t.Errorf("%s: %d calls, %d errors (%s)", o.Name, o.Requests, o.Errors, o.FirstError)
				}
			}
		})
	}
}

// exitStderr is the standard error of a command that failed.
func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
