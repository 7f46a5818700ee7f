package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestTrackingDocument pins the stored tracking document: a tracking with
// every field set is stored, its doc column must be the golden file byte
// for byte (field names and order), and it must read back whole. Renaming
// a JSON tag of waybill.Tracking (a wire concern) must not change this
// file; a field added to waybill.Tracking but not to the store's document
// fails the read-back.
func TestTrackingDocument(t *testing.T) {
	golden := filepath.Join("testdata", "tracking_doc.golden.json")
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org := mustOrg(t, st, "acme")
			var tr waybill.Tracking
			n := 0
			fill(reflect.ValueOf(&tr).Elem(), &n)
			tr.OrgID = org.ID
			if err := st.Write().InsertTracking(ctx, &tr); err != nil {
				t.Fatal(err)
			}
			var doc string
			if err := st.Writer().QueryRowContext(ctx, `SELECT doc FROM trackings WHERE public_id = $1`, tr.ID).Scan(&doc); err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(doc), "", "  "); err != nil {
				t.Fatalf("stored document is not JSON: %v", err)
			}
			pretty.WriteByte('\n')
			if *update && engine == testdb.Engines()[0] {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
				t.Errorf("stored document mismatch (-want +got):\n%s", diff)
			}
			got, err := st.Read().Tracking(ctx, org.ID, tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tr, got); diff != "" {
				t.Errorf("tracking read back mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fill sets every field reachable from v to a distinct, deterministic,
// non-zero value: two elements per slice, one entry per map. Times are
// whole seconds in UTC, as the store keeps them.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", v.Type().Name(), *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(*n) * time.Second)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic("fill: no rule for " + v.Type().String())
	}
}

// TestEventDocument pins the stored event payload the same way: an event
// with every field set, its tracking snapshot included, is stored byte for
// byte as the golden file and reads back whole (but for the snapshot's
// OrgID, which no payload has ever held).
func TestEventDocument(t *testing.T) {
	golden := filepath.Join("testdata", "event_doc.golden.json")
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org := mustOrg(t, st, "acme")
			var e waybill.Event
			n := 0
			fill(reflect.ValueOf(&e).Elem(), &n)
			e.OrgID, e.ChannelID, e.Tracking.OrgID, e.Return.OrgID = org.ID, 0, 0, org.ID
			if _, err := st.Write().InsertEvent(ctx, &e); err != nil {
				t.Fatal(err)
			}
			var payload string
			if err := st.Writer().QueryRowContext(ctx, `SELECT payload FROM events WHERE public_id = $1`, e.ID).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(payload), "", "  "); err != nil {
				t.Fatalf("stored payload is not JSON: %v", err)
			}
			pretty.WriteByte('\n')
			if *update && engine == testdb.Engines()[0] {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
				t.Errorf("stored payload mismatch (-want +got):\n%s", diff)
			}
			got, _, err := st.Read().Event(ctx, org.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(e, got); diff != "" {
				t.Errorf("event read back mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTrackingDocLZ4 checks migration 00028 on PostgreSQL: a tracking
// document long enough to be compressed (twenty checkpoints, past 2 kB) is
// stored with lz4, and reads back whole through the v4 get's and the
// page's reads. A server without lz4 keeps pglz; the test skips then.
func TestTrackingDocLZ4(t *testing.T) {
	st := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	var lz4 bool
	if err := st.Writer().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_settings
		WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals))`).Scan(&lz4); err != nil {
		t.Fatal(err)
	}
	if !lz4 {
		t.Skip("this PostgreSQL has no lz4")
	}
	org := mustOrg(t, st, "acme")
	tr := newTracking(org.ID, "dhl", "JD014600006281230704")
	for i := range 20 {
		tr.Checkpoints = append(tr.Checkpoints, waybill.Checkpoint{Slug: "dhl", Tag: waybill.TagInTransit,
			Subtag: "InTransit_001", City: "Leeds", CountryISO3: "GBR", Location: "Leeds, United Kingdom",
			Message: fmt.Sprintf("Arrived at sort facility %d", i), CheckpointTime: "2026-07-02T06:10:00+01:00"})
	}
	if err := st.Write().InsertTracking(ctx, tr); err != nil {
		t.Fatal(err)
	}
	var method string
	var size, stored int
	if err := st.Writer().QueryRowContext(ctx, `SELECT coalesce(pg_column_compression(doc), ''), octet_length(doc),
		pg_column_size(doc) FROM trackings WHERE public_id = $1`, tr.ID).Scan(&method, &size, &stored); err != nil {
		t.Fatal(err)
	}
	if method != "lz4" || stored >= size {
		t.Errorf("document of %d bytes stored in %d bytes with %q compression, want lz4", size, stored, method)
	}
	got, _, err := st.Read().TrackingAtKeyGeneration(ctx, org.ID, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Checkpoints) != 20 || got.Checkpoints[19].Message != "Arrived at sort facility 19" {
		t.Errorf("read back %d checkpoints: %+v", len(got.Checkpoints), got.Checkpoints)
	}
	page, err := st.Read().TrackingPage(ctx, tr.PageToken, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Trackings) != 1 || len(page.Trackings[0].Checkpoints) != 20 {
		t.Errorf("page read back %+v", page.Trackings)
	}
}
