package main

import (
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/fedex"
	"github.com/waybillhq/waybill/internal/carrier/ups"
	"github.com/waybillhq/waybill/internal/config"
)

// newCarriers returns the connectors `waybill serve` polls with: the
// sandbox courier and the carriers' own APIs, at the base URLs the
// configuration names (their production hosts by default).
func newCarriers(cfg config.Config) *carrier.Registry {
	carriers := carrier.NewRegistry()
	carriers.Register(carrier.SandboxSlug, carrier.NewSandbox(cfg.SandboxStep))
	carriers.Register("ups", ups.New(ups.Options{BaseURL: cfg.CarrierUPSURL}))
	carriers.Register("fedex", fedex.New(fedex.Options{BaseURL: cfg.CarrierFedExURL}))
	return carriers
}
