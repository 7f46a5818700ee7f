package httpserver

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
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
