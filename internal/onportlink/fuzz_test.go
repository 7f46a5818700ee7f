package onportlink

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
)

// FuzzResourceID: any body gives a positive id or EINVALID, never a panic.
func FuzzResourceID(f *testing.F) {
	for _, seed := range []string{`{"id": 1}`, `{"instance": {"id": 5824}}`, `{"sale": {"id": "12"}}`, "{\"id\": \"1\x00\"}",
		"\xff\xfe", `{"id": 1e400}`, `{"id": "` + strings.Repeat("9", 5000) + `"}`, `[]`, `null`, `{"instance": null, "id": 0}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		id, err := resourceID(body)
		switch {
		case err == nil && id <= 0:
			t.Fatalf("id %d without an error", id)
		case err != nil && waybill.ErrorCode(err) != waybill.EINVALID:
			t.Fatalf("error %v is not invalid", err)
		}
	})
}
