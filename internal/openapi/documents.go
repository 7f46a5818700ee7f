package openapi

import (
	"embed"
	"path"
	"slices"
	"strings"
)

// files are the documents, one JSON file per face, named {face}.json.
//
//go:embed documents/*.json
var files embed.FS

// Faces returns the names of the faces that have a document, sorted.
func Faces() []string {
	entries, err := files.ReadDir("documents")
	if err != nil {
		panic("openapi: embedded documents unreadable: " + err.Error())
	}
	var faces []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			faces = append(faces, name)
		}
	}
	slices.Sort(faces)
	return faces
}

// Document returns the OpenAPI document of face as JSON, and false when
// the face has none. The bytes are shared: callers must not modify them.
func Document(face string) ([]byte, bool) {
	if face == "" || strings.ContainsAny(face, `/\`) || face == "." || face == ".." {
		return nil, false
	}
	data, err := files.ReadFile(path.Join("documents", face+".json"))
	if err != nil {
		return nil, false
	}
	return data, true
}
