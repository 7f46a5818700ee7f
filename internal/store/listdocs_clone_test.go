package store_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// TestCloneTrackingCopiesEveryReference fills every slice, map and pointer
// of a waybill.Tracking (and of its checkpoints) and fails when the clone
// shares one: a field added to the domain type later must be copied too,
// or a caller's change to a listed tracking would reach the list cache.
func TestCloneTrackingCopiesEveryReference(t *testing.T) {
	var tr waybill.Tracking
	var n int
	fill(reflect.ValueOf(&tr).Elem(), &n)
	clone := store.CloneTracking(tr)
	if diff := cmp.Diff(tr, clone); diff != "" {
		t.Errorf("cloneTracking mismatch (-want +got):\n%s", diff)
	}
	shared(t, "Tracking", reflect.ValueOf(tr), reflect.ValueOf(clone))
}

// shared fails for each reference a and b have in common.
func shared(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Struct:
		if a.Type().PkgPath() == "time" {
			return
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				shared(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
	case reflect.Slice, reflect.Map, reflect.Pointer:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			t.Errorf("cloneTracking shares %s (%s): copy it", path, a.Type())
			return
		}
		switch a.Kind() {
		case reflect.Slice:
			for i := range a.Len() {
				shared(t, path+"[]", a.Index(i), b.Index(i))
			}
		case reflect.Pointer:
			if !a.IsNil() {
				shared(t, path, a.Elem(), b.Elem())
			}
		}
	}
}
