package ups

import "github.com/waybillhq/waybill/internal/carrier/carrierhttp"

// MaxBodyForTest is the largest answer read.
const MaxBodyForTest = carrierhttp.MaxBody
