package openapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill/internal/openapi"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
)

var update = flag.Bool("update", false, "copy the embedded documents to docs/openapi/")

// docsDir holds the copies of the documents for readers of the repository.
const docsDir = "../../docs/openapi"

func TestDocumentsAreValid(t *testing.T) {
	faces := openapi.Faces()
	if !slices.Contains(faces, "v4") {
		t.Fatalf("faces = %v, want v4 among them", faces)
	}
	for _, face := range faces {
		t.Run(face, func(t *testing.T) {
			doc, err := openapitest.Load(face)
			if err != nil {
				t.Fatal(err)
			}
			if doc.OpenAPI != "3.1.0" {
				t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
			}
		})
	}
}

// TestDocsCopies keeps docs/openapi/ identical to the embedded documents;
// go test ./internal/openapi -run TestDocsCopies -update refreshes it.
func TestDocsCopies(t *testing.T) {
	if *update {
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, face := range openapi.Faces() {
		name := face + ".json"
		want[name] = true
		data, _ := openapi.Document(face)
		path := filepath.Join(docsDir, name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("docs/openapi/%s differs from internal/openapi/documents/%s (%v); run go test ./internal/openapi -run TestDocsCopies -update", name, name, err)
		}
	}
	entries, err := os.ReadDir(docsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" && !want[e.Name()] {
			t.Errorf("docs/openapi/%s has no embedded document; remove it or add internal/openapi/documents/%s", e.Name(), e.Name())
		}
	}
}

func TestServeDocuments(t *testing.T) {
	mux := http.NewServeMux()
	openapi.Face{}.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, face := range openapi.Faces() {
		res, body := get(t, srv.URL+"/openapi/"+face+".json")
		want, _ := openapi.Document(face)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, want) {
			t.Errorf("GET /openapi/%s.json = %d %q, %d bytes; want 200 application/json, the document (%d bytes)",
				face, res.StatusCode, res.Header.Get("Content-Type"), len(body), len(want))
		}
	}
	for _, path := range []string{"/openapi/nope.json", "/openapi/v4", "/openapi/v4.yaml", "/openapi/..json", "/openapi/.json"} {
		res, body := get(t, srv.URL+path)
		var got struct {
			Error     string   `json:"error"`
			Documents []string `json:"documents"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("GET %s: body is not JSON: %v\n%s", path, err, body)
		}
		if res.StatusCode != http.StatusNotFound || got.Error != "not_found" || !slices.Contains(got.Documents, "/openapi/v4.json") {
			t.Errorf("GET %s = %d %s, want 404 not_found listing /openapi/v4.json", path, res.StatusCode, body)
		}
	}
	res, _ := get(t, srv.URL+"/openapi/v4.json")
	if diff := cmp.Diff("no-cache", res.Header.Get("Cache-Control")); diff != "" {
		t.Errorf("Cache-Control mismatch (-want +got):\n%s", diff)
	}
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}
