package aftership

import (
	"encoding/json"

	"github.com/waybillhq/waybill"
)

// Exports of the dated face's pure functions for the external tests.

// RenderTrackingDatedJSON is the JSON of renderTrackingDated.
func RenderTrackingDatedJSON(t waybill.Tracking) ([]byte, error) {
	return json.Marshal(renderTrackingDated(t))
}

var (
	EncodeCursor = encodeCursor
	DecodeCursor = decodeCursor
)

// RenderedV4Kept is the number of v4 get bodies a's memo keeps.
func RenderedV4Kept(a *API) int {
	return a.renderedV4.Len()
}
