package edd_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/edd"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
)

// insertDelivered stores n delivered UPS Ground parcels USA→USA of the
// organization, picked up on 2026-05-01 and delivered 2 to 5 days later;
// from numbers the tracking numbers from.
func insertDelivered(tb testing.TB, st *store.Store, orgID int64, from, n int) {
	tb.Helper()
	ctx := context.Background()
	pickup := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC)
	for i := from; i < from+n; i++ {
		delivered := pickup.AddDate(0, 0, 2+i%4)
		tr := waybill.Tracking{OrgID: orgID, Slug: "ups", TrackingNumber: fmt.Sprintf("1ZBENCH%06d", i), Tag: waybill.TagDelivered,
			Subtag: "Delivered_001", CreatedAt: pickup, UpdatedAt: delivered, LastUpdatedAt: delivered, ShipmentType: "UPS Ground",
			OriginCountryISO3: "USA", DestinationCountryISO3: "USA", ShipmentPickupDate: pickup.Format(time.RFC3339),
			ShipmentDeliveryDate: delivered.Format(time.RFC3339), Checkpoints: []waybill.Checkpoint{
				{Slug: "ups", CheckpointTime: pickup.Format(time.RFC3339), Message: "Picked up", Tag: waybill.TagInTransit, Subtag: "InTransit_002"},
				{Slug: "ups", CheckpointTime: delivered.Format(time.RFC3339), Message: "Delivered", Tag: waybill.TagDelivered, Subtag: "Delivered_001"},
			}}
		if err := st.Write().InsertTracking(ctx, &tr); err != nil {
			tb.Fatal(err)
		}
	}
}

var groundRequest = edd.Request{Slug: "ups", Service: "UPS Ground", Origin: "USA", Destination: "USA",
	PickupTime: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)}

// BenchmarkServicePredict measures a prediction call of five items of one
// courier over each engine under test, against DefaultHistoryLimit
// delivered trackings: "cold" reads and fits the history on every call
// (HistoryTTL < 0), "warm" reuses the fitted history as the server does
// within HistoryTTL.
func BenchmarkServicePredict(b *testing.B) {
	for _, engine := range testdb.Engines() {
		ctx := context.Background()
		st := testdb.Open(b, engine)
		org, err := st.Write().CreateOrg(ctx, "bench", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		insertDelivered(b, st, org.ID, 0, edd.DefaultHistoryLimit)
		reqs := []edd.Request{groundRequest, groundRequest, groundRequest, groundRequest, groundRequest}
		for _, mode := range []struct {
			name string
			ttl  time.Duration
		}{{"cold", -1}, {"warm", 0}} {
			b.Run(engine+"/"+mode.name, func(b *testing.B) {
				svc := &edd.Service{Store: st, HistoryTTL: mode.ttl}
				for b.Loop() {
					preds, err := svc.Predict(ctx, org.ID, reqs)
					if err != nil || preds[0].Samples != edd.DefaultHistoryLimit {
						b.Fatalf("%v, %+v", err, preds)
					}
				}
			})
		}
	}
}

// TestServiceReusesHistoryForTTL: a fitted history is reused until
// HistoryTTL has passed on the service's clock, then read again; another
// organization's history is never used.
func TestServiceReusesHistoryForTTL(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, engine)
			now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
			svc := &edd.Service{Store: st, HistoryTTL: time.Hour, Now: func() time.Time { return now }}
			acme, err := st.Write().CreateOrg(ctx, "acme", now)
			if err != nil {
				t.Fatal(err)
			}
			other, err := st.Write().CreateOrg(ctx, "other", now)
			if err != nil {
				t.Fatal(err)
			}
			source := func(orgID int64) edd.Source {
				t.Helper()
				preds, err := svc.Predict(ctx, orgID, []edd.Request{groundRequest})
				if err != nil {
					t.Fatal(err)
				}
				return preds[0].Source
			}
			if got := source(acme.ID); got != edd.SourceCustomRule {
				t.Fatalf("no history: %s", got)
			}
			insertDelivered(t, st, acme.ID, 0, edd.DefaultMinSamples)
			now = now.Add(59 * time.Minute)
			if got := source(acme.ID); got != edd.SourceCustomRule {
				t.Errorf("within the TTL: %s, want the fitted (empty) history reused", got)
			}
			now = now.Add(time.Minute)
			if got := source(acme.ID); got != edd.SourceHistory {
				t.Errorf("after the TTL: %s, want the new history", got)
			}
			if got := source(other.ID); got != edd.SourceCustomRule {
				t.Errorf("another organization: %s", got)
			}
		})
	}
}
