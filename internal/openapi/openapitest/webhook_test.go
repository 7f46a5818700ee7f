package openapitest_test

import (
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/openapi/openapitest"
)

// TestCheckWebhook: a payload that breaks the webhook's schema, one that
// is not JSON, and an event the document does not describe are each
// refused with an error naming the problem.
func TestCheckWebhook(t *testing.T) {
	for _, tc := range []struct {
		name, event, body, want string
	}{
		{"not an object", "tracker.status_changed", `[1,2]`, "does not match the tracker document"},
		{"not JSON", "tracker.status_changed", `{"event":`, "is not JSON"},
		{"unknown event", "tracker.nope", `{}`, "has no webhook tracker.nope"},
	} {
		err := openapitest.CheckWebhook("tracker", tc.event, []byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if err := openapitest.CheckWebhook("nope", "x", []byte(`{}`)); err == nil {
		t.Error("an unknown face: no error")
	}
}
