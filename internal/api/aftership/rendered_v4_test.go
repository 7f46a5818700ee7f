package aftership_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/aftership"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestV4GetMemoNeverServesStaleData loads a tracking through one server
// until its body is memoized, then changes it through every write path —
// a second server on the same database (another instance), the core
// directly (a carrier's checkpoints) — and checks that the first server's
// next get shows each change; then that another organization still finds
// nothing, that a revoked key is refused, and that a deleted tracking is
// gone.
func TestV4GetMemoNeverServesStaleData(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		a := newHarness(t, engine)
		b := newHarness(t, engine, func(o *harnessOptions) { o.of = a })
		ctx := context.Background()
		tr := a.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "MEMO0001", "customer_name": "Ann Secret"}}).expect(t, 201, 201).tracking(t)
		id := tr["id"].(string)
		get := func() map[string]any {
			t.Helper()
			return a.v4("GET", "/trackings/"+id, nil).expect(t, 200, 200).tracking(t)
		}
		// Read until memoized (the key is remembered from its second
		// request on), and once more from the memo.
		for range 3 {
			get()
		}
		if n := aftership.RenderedV4Kept(a.API); n != 1 {
			t.Fatalf("memo keeps %d bodies after three gets, want 1", n)
		}
		if got := get(); got["title"] != "MEMO0001" {
			t.Fatalf("title %v from the memo, want MEMO0001", got["title"])
		}

		// The other instance's writes.
		b.v4("PUT", "/trackings/"+id, map[string]any{"tracking": map[string]any{"title": "changed elsewhere"}}).expect(t, 200, 200)
		if got := get(); got["title"] != "changed elsewhere" {
			t.Fatalf("after the other instance's update: title %v", got["title"])
		}
		b.v4("POST", "/trackings/"+id+"/mark-as-completed", map[string]any{"reason": "DELIVERED"}).expect(t, 200, 200)
		if got := get(); got["tag"] != "Delivered" {
			t.Fatalf("after the other instance's mark-as-completed: tag %v", got["tag"])
		}
		b.v4("POST", "/notifications/"+id+"/add", map[string]any{"notification": map[string]any{"emails": []string{"ann@example.com"}}}).expect(t, 200, 200)
		if got := get(); !strings.Contains(strings.Join(anyStrings(got["emails"]), ","), "ann@example.com") {
			t.Fatalf("after the other instance's notification: emails %v", got["emails"])
		}
		// A carrier's checkpoints, written by the other instance's core.
		org, err := b.Tenants.Authenticate(ctx, b.Key)
		if err != nil {
			t.Fatal(err)
		}
		cp := waybill.Checkpoint{Message: "Arrived at the memo hub", CheckpointTime: "2026-12-01T10:00:00-05:00", Tag: waybill.TagInTransit, CreatedAt: time.Now()}
		if _, err := b.Core.PushCheckpoints(ctx, org.ID, tracking.PushInput{Slug: "ups", TrackingNumber: "MEMO0001", Checkpoints: []waybill.Checkpoint{cp}}); err != nil {
			t.Fatal(err)
		}
		got := get()
		if cps, _ := got["checkpoints"].([]any); len(cps) != 1 {
			t.Fatalf("after the other instance's checkpoint: %d checkpoints, want 1", len(cps))
		}
		if got = get(); got["title"] != "changed elsewhere" {
			t.Fatalf("memoized again: title %v", got["title"])
		}

		// Tenancy: another organization's key, on the server that
		// memoized the body, finds nothing.
		other := a.otherKey()
		if r := a.do("GET", "/v4/trackings/"+id, "", other, nil).expect(t, 404, 4004); strings.Contains(string(r.Raw), "Ann Secret") {
			t.Fatalf("another organization's get leaks the memoized body: %s", r.Raw)
		}

		// A deletion on the other instance.
		b.v4("DELETE", "/trackings/"+id, nil).expect(t, 200, 200)
		a.v4("GET", "/trackings/"+id, nil).expect(t, 404, 4004)
	})
}

// TestV4GetMemoRefusesARevokedKey memoizes a body, revokes the key on
// another instance, and checks that the first instance refuses the key
// at once: the memo answers only a read whose key generation is the one
// the key was remembered under.
func TestV4GetMemoRefusesARevokedKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		a := newHarness(t, engine)
		b := newHarness(t, engine, func(o *harnessOptions) { o.of = a })
		ctx := context.Background()
		id := a.v4("POST", "/trackings", map[string]any{"tracking": map[string]any{"slug": "ups", "tracking_number": "MEMO0002"}}).expect(t, 201, 201).tracking(t)["id"].(string)
		for range 3 {
			a.v4("GET", "/trackings/"+id, nil).expect(t, 200, 200)
		}
		if n := aftership.RenderedV4Kept(a.API); n != 1 {
			t.Fatalf("memo keeps %d bodies after three gets, want 1", n)
		}
		keys, err := b.Tenants.Keys(ctx, "acme")
		if err != nil || len(keys) != 1 {
			t.Fatalf("keys: %v, %v", keys, err)
		}
		if _, err := b.Tenants.RevokeKey(ctx, "acme", keys[0].Prefix); err != nil {
			t.Fatal(err)
		}
		a.v4("GET", "/trackings/"+id, nil).expect(t, 401, 401)
	})
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
