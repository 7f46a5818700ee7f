// Package httpserver assembles Waybill's HTTP server: the faces' routes on one
// ServeMux, health and readiness probes, Prometheus metrics, panic recovery
// and graceful shutdown.
package httpserver
