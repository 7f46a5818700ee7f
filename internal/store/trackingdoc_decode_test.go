package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// docStrings are strings whose JSON form has a rule of its own.
var docStrings = []string{
	"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline", "\x00\x1f", "ünïcödé 日本語 🚚",
	"\u2028\u2029", "bad \xff utf-8", "\ufffd", "'",
}

// randomValue fills v, field by field, with values of every kind the
// stored document holds, each sometimes empty.
func randomValue(r *rand.Rand, v reflect.Value) {
	if r.IntN(4) == 0 && v.Kind() != reflect.Struct {
		return // the zero value
	}
	switch v.Kind() {
	case reflect.String:
		s := docStrings[r.IntN(len(docStrings))]
		if r.IntN(2) == 0 {
			s = "x" + strings.Repeat("y", r.IntN(5))
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(r.Int64N(1000) - 10)
	case reflect.Float64:
		v.SetFloat([]float64{r.NormFloat64() * 1e-8, r.NormFloat64() * 1e22, r.NormFloat64() * 100, 0}[r.IntN(4)])
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		randomValue(r, v.Elem())
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), r.IntN(4), r.IntN(4)+4)
		for i := range s.Len() {
			randomValue(r, s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			randomValue(r, k)
			randomValue(r, e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if r.IntN(4) > 0 {
				v.Set(reflect.ValueOf(time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("", 900*(r.IntN(97)-48)))))
			}
			return
		}
		for i := range v.NumField() {
			randomValue(r, v.Field(i))
		}
	}
}

// mutate changes doc the ways another writer's document could differ:
// white space, a field repeated or moved, a null, an unknown field, or
// text cut short or garbled.
func mutate(r *rand.Rand, doc string) string {
	i := r.IntN(len(doc) + 1)
	switch r.IntN(7) {
	case 0:
		return doc[:i] + " " + doc[i:]
	case 1:
		return `{"title":"first",` + doc[1:]
	case 2:
		return doc[:len(doc)-1] + `,"id":"again","checkpoints":[{"slug":"x"}]}`
	case 3:
		return strings.Replace(doc, `"x`, `null`, 1)
	case 4:
		return `{"unknown":1,` + doc[1:]
	case 5:
		return doc[:i]
	}
	b := []byte(doc)
	if len(b) > 0 {
		const garble = "{}[],:\"\\0-e.nt \xff"
		b[r.IntN(len(b))] = garble[r.IntN(len(garble))]
	}
	return string(b)
}

// TestDecodeTrackingDocFast proves that stored documents decode to the
// tracking json.Unmarshal and trackingDoc.tracking give, by the fast
// decoder for the store's own form, and that any other text decodes (or
// fails) as json.Unmarshal has it.
func TestDecodeTrackingDocFast(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 7))
	fast := 0
	for i := range 3000 {
		var d trackingDoc
		randomValue(r, reflect.ValueOf(&d).Elem())
		raw, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		for j, doc := range []string{string(raw), mutate(r, string(raw)), mutate(r, mutate(r, string(raw)))} {
			var want trackingDoc
			wantErr := json.Unmarshal([]byte(doc), &want)
			got, gotErr := decodeTracking(doc)
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("document %d.%d: error %v, json.Unmarshal's %v\n%s", i, j, gotErr, wantErr, doc)
			}
			if wantErr == nil {
				if diff := cmp.Diff(want.tracking(), got); diff != "" {
					t.Fatalf("document %d.%d: mismatch (-want +got):\n%s\n%s", i, j, diff, doc)
				}
			}
			if j == 0 {
				if _, err := decodeTrackingFast(doc); err == nil {
					fast++
				} else if !strings.Contains(doc, `\ufffd`) {
					t.Fatalf("document %d in the store's form took the slow path: %s", i, doc)
				}
			}
		}
	}
	t.Logf("%d of 3000 stored documents decoded by the fast decoder", fast)
}

// FuzzDecodeTrackingDoc compares the decoder with json.Unmarshal on any text.
func FuzzDecodeTrackingDoc(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		var d trackingDoc
		randomValue(r, reflect.ValueOf(&d).Elem())
		raw, _ := json.Marshal(d)
		f.Add(string(raw))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var want trackingDoc
		wantErr := json.Unmarshal([]byte(doc), &want)
		got, gotErr := decodeTracking(doc)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("error %v, json.Unmarshal's %v", gotErr, wantErr)
		}
		if wantErr == nil {
			if diff := cmp.Diff(want.tracking(), got); diff != "" {
				t.Fatalf("mismatch (-want +got):\n%s", diff)
			}
		}
	})
}

func BenchmarkDecodeTrackingDoc(b *testing.B) {
	var d trackingDoc
	randomValue(rand.New(rand.NewPCG(3, 3)), reflect.ValueOf(&d).Elem())
	for len(d.Checkpoints) < 8 {
		d.Checkpoints = append(d.Checkpoints, checkpointDoc{Slug: "ups", Message: "Arrived at facility", City: "Louisville",
			CreatedAt: time.Now(), CheckpointTime: "2026-12-01T10:00:00-05:00", Tag: "InTransit", Subtag: "InTransit_001"})
	}
	raw, _ := json.Marshal(d)
	doc := string(raw)
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			var d trackingDoc
			_ = json.Unmarshal([]byte(doc), &d)
		}
	})
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeTrackingFast(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
