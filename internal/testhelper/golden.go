// Package testhelper holds helpers that tests of several packages share.
package testhelper

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// CompareWithGolden fails t unless got equals the contents of the golden
// file at path (conventionally under testdata/). With update set it first
// writes got to path, creating its directory, so that a test run with
// -update refreshes its golden files; the diff is then empty. Each test
// package declares its own -update flag and passes its value, as pkgsite's
// testhelper does.
func CompareWithGolden(t testing.TB, got []byte, path string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
			return
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
		return
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got); run with -update if the change is intended:\n%s", path, diff)
	}
}
