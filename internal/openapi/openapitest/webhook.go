package openapitest

import (
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// CheckWebhook validates a webhook payload against the request body of the
// face's document webhook named event (its `webhooks` section). Check
// validates exchanges of a face; a delivery Waybill sends is none, so it
// is checked here. It returns an error naming what does not match, or
// that the document has no such webhook.
func CheckWebhook(face, event string, body []byte) error {
	doc, err := Load(face)
	if err != nil {
		return err
	}
	item := doc.Webhooks[event]
	if item == nil || item.Post == nil || item.Post.RequestBody == nil {
		return fmt.Errorf("the %s document has no webhook %s", face, event)
	}
	media := item.Post.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return fmt.Errorf("the %s document's webhook %s has no JSON schema", face, event)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s payload is not JSON: %w", event, err)
	}
	if err := media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s payload does not match the %s document: %w\n%s", event, face, err, body)
	}
	return nil
}
