package httpserver

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
)

// InternalErrorWriter is implemented by a Face that answers, in its own
// envelope, a request whose handler panicked. The server asks the face
// whose path prefix is the longest match of the request's path.
type InternalErrorWriter interface {
	// PathPrefixes are the path prefixes of the face's routes ("/v1/").
	PathPrefixes() []string
	// WriteInternalError writes a 500 in the face's envelope. It must not
	// panic.
	WriteInternalError(w http.ResponseWriter, r *http.Request)
}

// panicAnswer is one face's writer for one path prefix.
type panicAnswer struct {
	prefix string
	write  func(w http.ResponseWriter, r *http.Request)
}

// panicAnswers lists the faces' writers, longest prefix first.
func panicAnswers(faces []Face) []panicAnswer {
	var out []panicAnswer
	for _, f := range faces {
		if iw, ok := f.(InternalErrorWriter); ok {
			for _, p := range iw.PathPrefixes() {
				out = append(out, panicAnswer{p, iw.WriteInternalError})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].prefix) > len(out[j].prefix) })
	return out
}

// writeInternalError is the answer to a panic outside every face's
// prefixes (the probes, /metrics, unknown paths).
func writeInternalError(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Something went wrong on our side."})
}

// recoverPanics turns a panic into a logged 500 in the envelope of the face
// that serves the path, so that one bad request never takes the process
// down. When the handler had already started its response, nothing more
// is written: the client gets what was sent and the error is logged.
func recoverPanics(logger *slog.Logger, answers []panicAnswer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Behind instrument, w already records the status: one recorder
		// less per request.
		rec, ok := w.(*statusRecorder)
		if !ok {
			rec = &statusRecorder{ResponseWriter: w}
		}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			if rec.status != 0 {
				return
			}
			write := writeInternalError
			for _, a := range answers {
				if strings.HasPrefix(r.URL.Path, a.prefix) {
					write = a.write
					break
				}
			}
			write(rec, r)
		}()
		next.ServeHTTP(rec, r)
	})
}
