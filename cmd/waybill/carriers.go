package main

import (
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/dhl"
	"github.com/waybillhq/waybill/internal/carrier/fedex"
	"github.com/waybillhq/waybill/internal/carrier/ups"
	"github.com/waybillhq/waybill/internal/carrier/usps"
	"github.com/waybillhq/waybill/internal/config"
)

// newCarriers returns the connectors `waybill serve` polls with: the
// sandbox courier and the four carriers' own APIs, at the base URLs the
// configuration names (WAYBILL_CARRIER_*_URL; their production hosts by
// default). The carriers' connectors need an organization's courier
// connection to be called.
func newCarriers(cfg config.Config) *carrier.Registry {
	carriers := carrier.NewRegistry()
	carriers.Register(carrier.SandboxSlug, carrier.NewSandbox(cfg.SandboxStep))
	carriers.Register("ups", ups.New(ups.Options{BaseURL: cfg.CarrierUPSURL}))
	carriers.Register("fedex", fedex.New(fedex.Options{BaseURL: cfg.CarrierFedExURL}))
	carriers.Register("usps", usps.New(usps.Options{BaseURL: cfg.CarrierUSPSURL}))
	carriers.Register("dhl", dhl.New(dhl.Options{BaseURL: cfg.CarrierDHLURL}))
	return carriers
}
