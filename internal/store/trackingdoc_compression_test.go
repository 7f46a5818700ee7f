package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

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
