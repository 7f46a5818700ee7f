package httpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/admin"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/api/onport"
	"github.com/waybillhq/waybill/internal/httpserver"
)

// panickingAuth is a key check that panics, so that every authenticated
// route of every face panics inside its handler.
type panickingAuth struct{}

func (panickingAuth) Authenticate(context.Context, string) (waybill.Organization, error) {
	panic("key check exploded")
}

// brokenFace serves /broken/, whose handler panics, outside every face's
// prefixes, and /v1/late, which panics after starting its answer.
type brokenFace struct{}

func (brokenFace) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /broken/", func(http.ResponseWriter, *http.Request) { panic("no face here") })
	mux.HandleFunc("GET /v1/late", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "partial")
		panic("after the header")
	})
}

func newPanickingServer(t *testing.T) string {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	faces := []httpserver.Face{
		&admin.API{Auth: panickingAuth{}, MaxBodyBytes: 1 << 20, Logger: logger},
		&aftership.API{Auth: panickingAuth{}, Limits: aftership.NewRateLimiter(0), MaxBodyBytes: 1 << 20, Logger: logger},
		&onport.API{Auth: panickingAuth{}, Throttle: onport.NewThrottle(0), MaxBodyBytes: 1 << 20, Logger: logger},
		brokenFace{},
	}
	srv := httptest.NewServer(httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, faces...).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestPanicAnsweredInTheFacesEnvelope makes a handler of each face panic
// and checks the answer is 500 in that face's own envelope, and that the
// server goes on serving.
func TestPanicAnsweredInTheFacesEnvelope(t *testing.T) {
	t.Parallel()
	url := newPanickingServer(t)
	const msg = "Something went wrong on our side."
	for _, tt := range []struct {
		face, method, path string
		headers            map[string]string
		want               map[string]any
		wantHeader         map[string]string
	}{
		{"admin", "GET", "/v1/channels", map[string]string{"as-api-key": "k"},
			map[string]any{"error": map[string]any{"code": "internal", "reason": "", "message": msg}}, nil},
		{"v4", "GET", "/v4/trackings", map[string]string{"aftership-api-key": "k"},
			map[string]any{"meta": map[string]any{"code": 500.0, "message": msg, "type": "InternalError"}, "data": map[string]any{}}, nil},
		{"2026-07", "GET", "/tracking/2026-07/trackings", map[string]string{"as-api-key": "k"},
			map[string]any{"meta": map[string]any{"code": 500.0, "message": msg, "type": "InternalError"}, "data": map[string]any{}},
			map[string]string{"as-api-version": "2026-07"}},
		{"onport", "GET", "/api/sales.json", map[string]string{"Authorization": "Bearer k"},
			map[string]any{"message": msg, "code": "internal"}, nil},
		{"outside every face", "GET", "/broken/x", nil, map[string]any{"message": msg}, nil},
	} {
		t.Run(tt.face, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+tt.path, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got map[string]any
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if res.StatusCode != 500 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("status %d, Content-Type %q; want 500, JSON", res.StatusCode, res.Header.Get("Content-Type"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("envelope mismatch (-want +got):\n%s", diff)
			}
			for k, v := range tt.wantHeader {
				if res.Header.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, res.Header.Get(k), v)
				}
			}
		})
	}
	// A panic after the answer started leaves that answer alone.
	res, err := http.Get(url + "/v1/late")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || string(body) != "partial" {
		t.Errorf("late panic: %d %q, want the 202 already sent", res.StatusCode, body)
	}
	// The server survived every panic.
	res, err = http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after the panics /healthz: %v %v", res, err)
	}
	res.Body.Close()
}
