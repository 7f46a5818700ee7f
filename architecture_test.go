package waybill_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The boundaries docs/ARCHITECTURE.md draws, checked on the source so that a
// change which crosses one fails here instead of in a review:
//   - the core (this package) imports only the standard library;
//   - no face (internal/api/...) imports the store, in its code or its tests;
//   - the core services (internal/tracking, internal/commerce) declare no
//     wire-format struct tags: JSON belongs to the faces and to the store's own
//     document types.

const module = "github.com/waybillhq/waybill"

// goFiles parses every Go file under dir (recursively when deep) with its
// imports and comments, keyed by path relative to the module root.
func goFiles(t *testing.T, dir string, deep bool) map[string]*ast.File {
	t.Helper()
	files := map[string]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (!deep || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(path)] = f
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files under %s: the test is looking in the wrong place", dir)
	}
	return files
}

func importsOf(f *ast.File) []string {
	var paths []string
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err == nil {
			paths = append(paths, p)
		}
	}
	return paths
}

func TestCoreImportsOnlyTheStandardLibrary(t *testing.T) {
	for path, f := range goFiles(t, ".", false) {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		for _, imp := range importsOf(f) {
			first, _, _ := strings.Cut(imp, "/")
			if strings.Contains(first, ".") {
				t.Errorf("%s imports %s: package waybill imports only the standard library", path, imp)
			}
		}
	}
}

func TestFacesDoNotImportTheStore(t *testing.T) {
	store := module + "/internal/store"
	for path, f := range goFiles(t, "internal/api", true) {
		for _, imp := range importsOf(f) {
			if imp == store || strings.HasPrefix(imp, store+"/") {
				t.Errorf("%s imports %s: a face reaches data through the core, never the store", path, imp)
			}
		}
	}
}

func TestCoreServicesDeclareNoJSONTags(t *testing.T) {
	for _, dir := range []string{"internal/tracking", "internal/commerce", "internal/edd", "internal/returns"} {
		for path, f := range goFiles(t, dir, false) {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				field, ok := n.(*ast.Field)
				if !ok || field.Tag == nil {
					return true
				}
				tag, err := strconv.Unquote(field.Tag.Value)
				if err != nil {
					return true
				}
				if _, has := reflect.StructTag(tag).Lookup("json"); has {
					t.Errorf("%s declares the struct tag `%s`: wire formats belong to the faces, stored documents to the store", path, tag)
				}
				return true
			})
		}
	}
}
