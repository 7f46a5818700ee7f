package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestTrackerDocument pins the stored tracker document: waybill.Tracker
// has no JSON tags, so its Go field names are the stored keys, and
// renaming a field changes this golden file. A tracker with every field
// set is stored byte for byte as the golden file and reads back whole,
// by external id and by tracking, on both engines.
func TestTrackerDocument(t *testing.T) {
	golden := filepath.Join("testdata", "tracker_doc.golden.json")
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org := mustOrg(t, st, "acme")
			var tr waybill.Tracker
			n := 0
			v := reflect.ValueOf(&tr).Elem()
			for i := range v.NumField() {
				switch v.Type().Field(i).Name {
				case "OrderAttributes", "Packages", "Items": // free JSON: set below
				default:
					fill(v.Field(i), &n)
				}
			}
			tr.OrderAttributes = map[string]any{"giftWrap": true, "note": "fragile", "count": 2.0, "nested": map[string]any{"a": []any{"b"}}}
			tr.Packages = []map[string]any{{"weight": 1.5, "unit": "kg"}}
			tr.Items = []map[string]any{{"sku": "SKU-1", "quantity": 1.0}}
			tr.OrgID = org.ID
			if err := st.Write().InsertTracker(ctx, &tr); err != nil {
				t.Fatal(err)
			}
			var doc string
			if err := st.Writer().QueryRowContext(ctx, `SELECT doc FROM trackers WHERE public_id = $1`, tr.ID).Scan(&doc); err != nil {
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
			for name, read := range map[string]func() (waybill.Tracker, error){
				"by external id": func() (waybill.Tracker, error) { return st.Read().TrackerByExternalID(ctx, org.ID, tr.ExternalID) },
				"by tracking":    func() (waybill.Tracker, error) { return st.Read().TrackerByTrackingID(ctx, org.ID, tr.TrackingID) },
			} {
				got, err := read()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if diff := cmp.Diff(tr, got); diff != "" {
					t.Errorf("%s: read back mismatch (-want +got):\n%s", name, diff)
				}
			}
			other := mustOrg(t, st, "other")
			if _, err := st.Read().TrackerByExternalID(ctx, other.ID, tr.ExternalID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("another organization reads the tracker: %v", err)
			}
		})
	}
}
