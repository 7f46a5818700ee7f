package httpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/waybillhq/waybill/internal/reqlog"
)

// HeaderRequestID carries a request's id: taken from the request when it
// is sane, else made up; always in the response.
const HeaderRequestID = "X-Request-Id"

// requestID returns the caller's X-Request-Id when it is 1 to 128
// characters of letters, digits and "-_.:", else a new random one (32 hex
// digits). A caller's id lets a proxy's log line be matched with ours; the
// rule keeps log injection out.
func requestID(r *http.Request) string {
	if id := r.Header.Get(HeaderRequestID); saneRequestID(id) {
		return id
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	var id [32]byte
	hex.Encode(id[:], b[:])
	return string(id[:])
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// probePaths are logged at debug level only: a load balancer asks them
// every few seconds.
var probePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// logRequest writes the request's one log line: method, route pattern
// (never the path, which may hold ids and tokens), status, duration,
// organization (when one authenticated) and request id. 5xx answers are
// errors, the rest info; the probes are debug.
func (s *Server) logRequest(r *http.Request, route string, status int, elapsed time.Duration, id string, rec *reqlog.Record) {
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case probePaths[r.URL.Path]:
		level = slog.LevelDebug
	}
	ctx := context.Background()
	if !s.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
	if org := rec.OrgID(); org != 0 {
		attrs = append(attrs, slog.Int64("org", org))
	}
	attrs = append(attrs, slog.String("request_id", id))
	s.logger.LogAttrs(ctx, level, "request", attrs...)
}
