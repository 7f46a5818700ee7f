package onport

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
)

// FuzzTrackingEvent: a tracking-events body decodes and validates to an
// input or EINVALID, never a panic.
func FuzzTrackingEvent(f *testing.F) {
	for _, seed := range []string{`{"trackingEvents": {"dropshipmentId": 1, "transactionId": "t", "statusAt": "2026-11-01T00:00:00Z", "status": "transit"}}`,
		`{"dropshipmentId": 1, "transactionId": 7, "statusAt": "x", "status": "lost"}`, "{\"transactionId\": \"\x00\"}", "\xff", `[]`,
		`{"trackingEvents": {"details": "` + strings.Repeat("x", 5000) + `"}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeTrackingEvent(body)
		if err == nil {
			err = in.Validate()
		}
		if err != nil && waybill.ErrorCode(err) != waybill.EINVALID {
			t.Fatalf("error %v is not invalid", err)
		}
	})
}
