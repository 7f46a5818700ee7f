package httpserver_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/reqlog"
)

// orgFace serves /orgs/{id}, whose handler notes organization 42 as a
// key check would, and /fail, which answers 503.
type orgFace struct{}

func (orgFace) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /orgs/{id}", func(w http.ResponseWriter, r *http.Request) {
		reqlog.NoteOrg(r.Context(), 42)
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	l.b.Reset()
	return out
}

// TestRequestLog: before, requests logged nothing. Each now gives one line
// with method, route pattern (not the path), status, duration,
// organization and request id, and the id comes back in X-Request-Id.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := httptest.NewServer(httpserver.New("127.0.0.1:0", logger, httpserver.Checks{}, orgFace{}).Handler())
	t.Cleanup(srv.Close)
	get := func(path, requestID string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if requestID != "" {
			req.Header.Set("X-Request-Id", requestID)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	res := get("/orgs/secret-looking-id", "lb-7f3a.1:2")
	if got := res.Header.Get("X-Request-Id"); got != "lb-7f3a.1:2" {
		t.Errorf("a sane incoming id is not echoed: %q", got)
	}
	lines := logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d lines for one request: %v", len(lines), lines)
	}
	l := lines[0]
	if l["msg"] != "request" || l["level"] != "INFO" || l["method"] != "GET" || l["route"] != "GET /orgs/{id}" ||
		l["status"] != 201.0 || l["org"] != 42.0 || l["request_id"] != "lb-7f3a.1:2" {
		t.Errorf("request line: %v", l)
	}
	if d, ok := l["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("duration_ms: %v", l["duration_ms"])
	}

	// An id that could forge log lines, or an overlong one, is replaced.
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, bad := range []string{"a b", "x\"y", strings.Repeat("a", 129), "é"} {
		res := get("/fail", bad)
		id := res.Header.Get("X-Request-Id")
		if !generated.MatchString(id) {
			t.Errorf("incoming id %q: answered %q, want a generated one", bad, id)
		}
		lines := logs.lines(t)
		if len(lines) != 1 || lines[0]["request_id"] != id || lines[0]["level"] != "ERROR" || lines[0]["status"] != 503.0 || lines[0]["org"] != nil {
			t.Errorf("line for /fail: %v", lines)
		}
	}
	if a, b := get("/nope", "").Header.Get("X-Request-Id"), get("/nope", "").Header.Get("X-Request-Id"); a == b || !generated.MatchString(a) {
		t.Errorf("generated ids %q and %q", a, b)
	}
	if lines := logs.lines(t); len(lines) != 2 || lines[0]["route"] != "unmatched" || lines[0]["status"] != 404.0 {
		t.Errorf("unmatched lines: %v", lines)
	}

	// The probes stay out of the info log.
	get("/healthz", "")
	get("/metrics", "")
	if lines := logs.lines(t); len(lines) != 0 {
		t.Errorf("probes logged at info: %v", lines)
	}
}
