package httpserver

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series keeps each route and status's counter and histogram, so that
	// a request finds them with one map read instead of formatting the
	// status and hashing both labels twice (WithLabelValues). Routes are
	// the muxes' patterns, so it holds as many entries as the vectors.
	series sync.Map // routeStatus -> *routeSeries
}

type routeStatus struct {
	route string
	code  int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// observe counts one request of route answered with code after elapsed.
func (m *metrics) observe(route string, code int, elapsed time.Duration) {
	key := routeStatus{route, code}
	v, ok := m.series.Load(key)
	if !ok {
		c := strconv.Itoa(code)
		v, _ = m.series.LoadOrStore(key, &routeSeries{requests: m.requests.WithLabelValues(route, c), latency: m.latency.WithLabelValues(route, c)})
	}
	rs := v.(*routeSeries)
	rs.requests.Inc()
	rs.latency.Observe(elapsed.Seconds())
}

func newMetrics(reg prometheus.Registerer, checks Checks) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "waybill_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "waybill_http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "code"}),
	}
	reg.MustRegister(m.requests, m.latency)
	gauge(reg, "waybill_queue_depth", "Jobs waiting to run (available, scheduled or retryable).", checks.QueueDepth)
	gauge(reg, "waybill_inbound_pending", "Asynchronous inbound messages accepted and not yet processed.", checks.InboundPending)
	if rb := checks.ReadBatches; rb != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "waybill_store_batched_reads_total",
			Help: "Reads the store answered in shared batches (one statement per batch)."},
			func() float64 { n, _ := rb(); return float64(n) }))
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "waybill_store_read_batches_total",
			Help: "Statements the store's batched reads took; reads per batch is the ratio."},
			func() float64 { _, n := rb(); return float64(n) }))
	}
	return m
}

// gauge registers a gauge read from count at each scrape, -1 when count
// fails; nothing when count is nil.
func gauge(reg prometheus.Registerer, name, help string, count func(context.Context) (int64, error)) {
	if count == nil {
		return
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
