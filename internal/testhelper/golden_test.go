package testhelper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, _ ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Fatalf(format string, _ ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Fatal(args ...any)              { r.failed = append(r.failed, "fatal") }

func TestCompareWithGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")

	r := &recorder{TB: t}
	CompareWithGolden(r, []byte("one\n"), path, false)
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "-update") {
		t.Errorf("a missing golden file gave %v, want one failure naming -update", r.failed)
	}

	r = &recorder{TB: t}
	CompareWithGolden(r, []byte("one\n"), path, true)
	if len(r.failed) != 0 {
		t.Errorf("update gave %v", r.failed)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "one\n" {
		t.Errorf("update wrote %q, %v", data, err)
	}

	r = &recorder{TB: t}
	CompareWithGolden(r, []byte("two\n"), path, false)
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "mismatch") {
		t.Errorf("a different value gave %v, want one mismatch", r.failed)
	}
}
