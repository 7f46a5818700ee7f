package openapi

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Face serves the documents: GET /openapi/{face}.json answers the face's
// document (application/json); any other name under /openapi/ answers 404
// with a JSON body naming the documents there are. It implements
// httpserver.Face and needs no key: the documents describe the API, they
// hold no data.
type Face struct{}

// Register adds GET /openapi/{file} to mux.
func (Face) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /openapi/{file}", serveDocument)
}

func serveDocument(w http.ResponseWriter, r *http.Request) {
	face, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	var data []byte
	if ok {
		data, ok = Document(face)
	}
	if !ok {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"error":     "not_found",
			"message":   "No API document at " + r.URL.Path + ".",
			"documents": documentPaths(),
		})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// documentPaths lists the paths of every document, for the 404 answer.
func documentPaths() []string {
	faces := Faces()
	paths := make([]string, len(faces))
	for i, f := range faces {
		paths[i] = "/openapi/" + f + ".json"
	}
	return paths
}
