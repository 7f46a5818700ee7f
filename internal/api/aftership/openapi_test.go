package aftership_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/openapi"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestEveryDocumentedOperationIsServed sends one request to every
// operation of the v4 and 2026-07 documents, with made-up path parameters
// and an empty object for a body. Each must reach its handler, which
// answers in the envelope, rather than the mux's plain-text 404 or 405: a
// document cannot list a route the server does not have. The harness
// validates each answer against the document as well. (The other way
// round, a route the server answers but the document lacks fails any test
// that calls it.)
func TestEveryDocumentedOperationIsServed(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0])
	params := strings.NewReplacer("{id}", "0123456789abcdef0123456789abcdef", "{slug}", "ups", "{number}", "NOSUCHNUMBER1")
	for _, face := range documentedFaces {
		data, _ := openapi.Document(face)
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		header := "aftership-api-key"
		if face != "v4" {
			header = "as-api-key"
		}
		operations := 0
		for path, item := range doc.Paths {
			for method := range item {
				method = strings.ToUpper(method)
				switch method {
				case "GET", "DELETE":
					operations++
					r := h.do(method, params.Replace(path), header, h.Key, nil)
					if r.Meta.Code == 0 {
						t.Errorf("%s %s: HTTP %d without an envelope: %s", method, path, r.Status, r.Raw)
					}
				case "POST", "PUT", "PATCH":
					operations++
					r := h.do(method, params.Replace(path), header, h.Key, "{}")
					if r.Meta.Code == 0 {
						t.Errorf("%s %s: HTTP %d without an envelope: %s", method, path, r.Status, r.Raw)
					}
				}
			}
		}
		if operations < 10 {
			t.Errorf("%s: only %d operations found in the document", face, operations)
		}
	}
}

// TestV4OperationsSucceed calls the v4 operations that the other tests
// only call to be refused, so that the document's success answer of each
// is validated against a real one.
func TestV4OperationsSucceed(t *testing.T) {
	h := newHarness(t, testdb.Engines()[0])
	const number = "1Z999AA10123456784"
	created := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{
		"slug": "ups", "tracking_number": number, "emails": []string{"ann@example.com"}, "title": "Blue shoes"}}).expect(t, 201, 201).tracking(t)
	id := created["id"].(string)
	pushGoldenCheckpoints(t, h, number)

	last := h.v4("GET", "/last_checkpoint/ups/"+number, nil).expect(t, http.StatusOK, 200)
	if cp, ok := last.Data["checkpoint"].(map[string]any); !ok || cp["subtag"] != "Delivered_003" {
		t.Errorf("last checkpoint = %s, want the Delivered_003 scan", last.Raw)
	}
	h.v4("GET", "/last_checkpoint/"+id+"?fields=message,tag", nil).expect(t, http.StatusOK, 200)

	h.v4("GET", "/notifications/"+id, nil).expect(t, http.StatusOK, 200)
	h.v4("POST", "/notifications/"+id+"/add", map[string]any{"notification": map[string]any{"emails": []string{"bob@example.com"}, "smses": []string{"+447700900123"}}}).expect(t, http.StatusOK, 200)
	got := h.v4("POST", "/notifications/"+id+"/remove", map[string]any{"notification": map[string]any{"emails": []string{"ann@example.com"}}}).expect(t, http.StatusOK, 200)
	if n, _ := got.Data["notification"].(map[string]any); len(n["emails"].([]any)) != 1 || len(n["smses"].([]any)) != 1 {
		t.Errorf("notifications after add and remove = %s, want bob and one phone number", got.Raw)
	}

	h.v4("GET", "/trackings?fields=title,tag&limit=5", nil).expect(t, http.StatusOK, 200)
	h.v4("GET", "/trackings/ups/"+number+"?fields=checkpoints", nil).expect(t, http.StatusOK, 200)

	const second = "1Z999AA10123456791"
	other := h.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": second}}).expect(t, 201, 201).tracking(t)
	done := h.v4("POST", "/trackings/ups/"+second+"/mark-as-completed", map[string]any{"reason": "LOST"}).expect(t, http.StatusOK, 200).tracking(t)
	if done["active"] != false {
		t.Errorf("after mark-as-completed active = %v, want false", done["active"])
	}
	h.v4("POST", "/trackings/"+other["id"].(string)+"/retrack", nil).expect(t, http.StatusOK, 200)
	h.v4("DELETE", "/trackings/ups/"+second, nil).expect(t, http.StatusOK, 200)
	h.v4("DELETE", "/trackings/"+id, nil).expect(t, http.StatusOK, 200)
}
