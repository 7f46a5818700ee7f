package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/portal"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/web"
)

// BenchmarkTrackingPageView is one view of a tracking page with three
// checkpoints, as scripts/bench-pages.sh creates them, through the page
// handler and the store but without the network: the store read, then
// (the data being unchanged after the first view) the kept render.
//
//	go test ./internal/web -run '^$' -bench TrackingPageView -benchtime 5000x -count 3 -cpuprofile /tmp/pages.prof
func BenchmarkTrackingPageView(b *testing.B) {
	for _, engine := range testdb.Engines() {
		b.Run(engine, func(b *testing.B) {
			st := testdb.Open(b, engine)
			ctx := context.Background()
			org, err := st.Write().CreateOrg(ctx, "acme", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				b.Fatal(err)
			}
			pages := &portal.Service{Store: st}
			if _, err := pages.UpdateBranding(ctx, org.ID, waybill.BrandingPatch{DisplayName: sp("Acme Outdoor"),
				AccentColor: sp("#0A7F5A"), SupportEmail: sp("help@acme.example")}); err != nil {
				b.Fatal(err)
			}
			tr := customer(goldenStates[1].tr)
			tr.OrgID, tr.Slug, tr.Active = org.ID, "ups", true
			tr.CreatedAt = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
			tr.UpdatedAt = tr.CreatedAt
			if err := st.Write().InsertTracking(ctx, &tr); err != nil {
				b.Fatal(err)
			}
			mux := http.NewServeMux()
			(&web.Web{Pages: pages, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
			// A context that can end, as net/http gives every request: what
			// watches it (database/sql, the SQLite driver) costs as it would.
			live, stop := context.WithCancel(ctx)
			defer stop()
			req := httptest.NewRequestWithContext(live, http.MethodGet, "/t/"+tr.PageToken, nil)
			req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU(b)
			for range b.N {
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
			// CPU time rather than wall time: the machine is shared.
			b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the user and system CPU time this process has used, in
// nanoseconds.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
