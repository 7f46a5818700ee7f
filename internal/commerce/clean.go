package commerce

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/waybillhq/waybill"
)

// checkClean adds a problem for every string of v (a write: structs,
// slices and pointers are walked) that is not waybill.CleanText.
func checkClean(p *problems, v any) {
	rv := reflect.ValueOf(v)
	// Almost every write is clean: check without building the paths
	// (an allocation per field), and walk again with them only to name
	// what is not.
	if allClean(rv) {
		return
	}
	walkStrings(rv, "", func(path string) {
		p.add("%s contains a control character or is not valid UTF-8", path)
	})
}

func walkStrings(v reflect.Value, path string, bad func(string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, bad)
		}
	case reflect.String:
		if !waybill.CleanText(v.String()) {
			bad(path)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", bad)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			walkStrings(v.Field(i), strings.TrimPrefix(path+"."+lowerFirst(t.Field(i).Name), "."), bad)
		}
	}
}

// allClean reports whether every string walkStrings would visit in v is
// waybill.CleanText.
func allClean(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || allClean(v.Elem())
	case reflect.String:
		return waybill.CleanText(v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if !allClean(v.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() && !allClean(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

// lowerFirst lowers a Go name's leading capitals the way the wire names
// them: SKU is sku, ExternalID externalID, URLPath urlPath.
func lowerFirst(name string) string {
	r := []rune(name)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) {
		n-- // the last capital starts the next word
	}
	for i := range n {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}
