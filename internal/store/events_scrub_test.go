package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestMigrationDropsChannelHashFromEvents stores commerce events as they
// were written before snapshots left the channel's hash out, runs the
// migration that scrubs them again, and checks that the hash is gone and
// everything else of the event is as it was.
func TestMigrationDropsChannelHashFromEvents(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			const hash = "3f2a9c0d5e6b7a8f9e0d1c2b3a4f5e6d"
			snap := waybill.CommerceSnapshot{Channel: &waybill.Channel{ID: 7, Name: "Shop", WebhookHash: hash},
				Sale: &waybill.Sale{ID: 9, ChannelID: 7, ExternalID: "S1", Total: 9.5}}
			detail, err := json.Marshal(snap)
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
			var ids []string
			for _, typ := range []string{waybill.EventSaleDropship, waybill.EventFulfillment, waybill.EventDropshipmentAcknowledged, "tracking.updated"} {
				e := waybill.Event{ID: store.NewEventID(), OrgID: org.ID, Type: typ, Detail: string(detail), CreatedAt: at, ChannelID: 7}
				if _, err := st.Write().InsertEvent(ctx, &e); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, e.ID)
			}

			up := migrationUp(t, engine, "00006_events_without_channel_hash.sql")
			for range 2 { // and again: nothing changes a second time
				if _, err := st.Writer().ExecContext(ctx, up); err != nil {
					t.Fatalf("migration: %v", err)
				}
			}
			for i, id := range ids {
				e, _, err := st.Read().Event(ctx, org.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if i == 3 {
					if e.Detail != string(detail) {
						t.Errorf("a tracking event was changed: %s", e.Detail)
					}
					continue
				}
				if strings.Contains(e.Detail, hash) {
					t.Errorf("%s still carries the hash: %s", e.Type, e.Detail)
				}
				var got waybill.CommerceSnapshot
				if err := json.Unmarshal([]byte(e.Detail), &got); err != nil {
					t.Fatalf("%s detail: %v", e.Type, err)
				}
				if got.Channel == nil || got.Channel.ID != 7 || got.Channel.Name != "Shop" || got.Sale == nil || got.Sale.ExternalID != "S1" ||
					got.Sale.Total != 9.5 || !e.CreatedAt.Equal(at) {
					t.Errorf("%s lost more than the hash: %+v", e.Type, e)
				}
			}
		})
	}
}

// migrationUp returns the Up statements of one migration of the engine.
func migrationUp(t *testing.T, engine, name string) string {
	t.Helper()
	b, err := store.Migrations.ReadFile("migrations/" + engine + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start, end := strings.Index(s, "-- +goose Up"), strings.Index(s, "-- +goose Down")
	if start < 0 || end < start {
		t.Fatalf("%s has no Up section", name)
	}
	return s[start+len("-- +goose Up") : end]
}
