package commerce

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText reports whether s is valid UTF-8 without a C0 control
// character other than tab, carriage return and newline. What is not can
// never be stored alike on both engines (PostgreSQL refuses a NUL in text;
// SQLite keeps it), so every string of a write must be clean, and the faces
// refuse a body holding an unclean string before it is queued.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// checkClean adds a problem for every string of v (a write: structs,
// slices and pointers are walked) that is not CleanText.
func checkClean(p *problems, v any) {
	walkStrings(reflect.ValueOf(v), "", func(path string) {
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
		if !CleanText(v.String()) {
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
