package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/waybillhq/waybill/internal/reqlog"
)

// Face is an HTTP dialect that registers its routes on the server's mux. A
// face that also implements InternalErrorWriter answers its handlers'
// panics in its own envelope.
type Face interface {
	Register(mux *http.ServeMux)
}

// Checks are what /readyz asks before it answers 200.
type Checks struct {
	Ready func(ctx context.Context) error // nil when the database is reachable and migrated
	// QueueDepth reports jobs waiting; it backs the waybill_queue_depth gauge.
	QueueDepth func(ctx context.Context) (int64, error)
	// InboundPending reports asynchronous inbound messages not processed
	// yet; it backs the waybill_inbound_pending gauge.
	InboundPending func(ctx context.Context) (int64, error)
	// ReadBatches reports the reads the store answered in shared batches
	// (PostgreSQL's v4 get by id) and the batches they took; it backs the
	// waybill_store_batched_reads_total and waybill_store_read_batches_total
	// counters.
	ReadBatches func() (reads, batches int64)
}

// Server is Waybill's HTTP server.
type Server struct {
	http    *http.Server
	mux     *http.ServeMux
	logger  *slog.Logger
	metrics *metrics
}

// New returns a server on addr with the faces' routes and the probes.
func New(addr string, logger *slog.Logger, checks Checks, faces ...Face) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &Server{mux: http.NewServeMux(), logger: logger, metrics: newMetrics(reg, checks)}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if checks.Ready != nil {
			if err := checks.Ready(ctx); err != nil {
				logger.Warn("not ready", "err", err)
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for _, f := range faces {
		f.Register(s.mux)
	}
	s.http = &http.Server{
		Addr:              addr,
		Handler:           s.instrument(recoverPanics(logger, panicAnswers(faces), s.mux)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the server's root handler, for tests.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if err := s.http.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set(HeaderRequestID, id)
		ctx, logRec := reqlog.Start(r.Context())
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern // set by ServeMux on this request once it matched
		if route == "" {
			route = "unmatched"
		}
		code := rec.status
		if code == 0 {
			code = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, code, elapsed)
		s.logRequest(r, route, code, elapsed, id, logRec)
	})
}
