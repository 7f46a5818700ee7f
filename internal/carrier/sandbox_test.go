package carrier

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waybillhq/waybill"
)

// playSandbox follows a sandbox tracking the way the tracking service
// does (waybill.Tracking.Advance with each fetch), polling at every step
// until it is no longer polled, and returns the tracking, its tag after
// each poll that changed it, and the events of every change.
func playSandbox(t *testing.T, number string, step time.Duration) (waybill.Tracking, []waybill.Tag, []waybill.Event) {
	t.Helper()
	created := time.Date(2024, 5, 1, 9, 0, 0, 123456789, time.UTC)
	tr := waybill.Tracking{CreatedAt: created, LastUpdatedAt: created, TrackingNumber: number, Slug: SandboxSlug,
		Active: true, Tag: waybill.TagPending, Subtag: "Pending_001"}
	sb := &Sandbox{Step: step}
	tags := []waybill.Tag{tr.Tag}
	var changes []waybill.Event
	for now := created; tr.Active; now = now.Add(step) {
		if now.Sub(created) > 100*step {
			t.Fatalf("%s: still active after 100 steps, tag %s", number, tr.Tag)
		}
		sb.Now = func() time.Time { return now }
		res, err := sb.Fetch(context.Background(), FetchRequest{Slug: SandboxSlug, TrackingNumber: number, CreatedAt: created})
		if err != nil {
			t.Fatalf("%s: Fetch: %v", number, err)
		}
		_, events := tr.Advance(res.News(), now, 0)
		changes = append(changes, events...)
		if tr.Tag != tags[len(tags)-1] {
			tags = append(tags, tr.Tag)
		}
		if _, ok := waybill.NextPoll(tr, tr.LastUpdatedAt, now); !ok {
			break
		}
		if tr.Tag == waybill.TagException && tr.Subtag == "Exception_011" {
			break // returned to sender: the journey is over, the tracking stays active until it expires
		}
	}
	return tr, tags, changes
}

func TestSandboxJourneys(t *testing.T) {
	t.Parallel()
	const (
		P  = waybill.TagPending
		IR = waybill.TagInfoReceived
		IT = waybill.TagInTransit
		OD = waybill.TagOutForDelivery
		AF = waybill.TagAttemptFail
		AP = waybill.TagAvailableForPickup
		DL = waybill.TagDelivered
		EX = waybill.TagException
		XP = waybill.TagExpired
	)
	for _, tt := range []struct {
		number     string
		wantSubtag string
		wantTags   []waybill.Tag
		check      func(t *testing.T, tr waybill.Tracking, changes []waybill.Event)
	}{
		{"SBXDELIVERED", "Delivered_003", []waybill.Tag{P, IR, IT, OD, DL}, func(t *testing.T, tr waybill.Tracking, _ []waybill.Event) {
			if tr.SignedBy != "A. CUSTOMER" || tr.ShipmentDeliveryDate == "" || tr.ShipmentPickupDate == "" {
				t.Errorf("signed_by %q, delivery date %q, pickup date %q", tr.SignedBy, tr.ShipmentDeliveryDate, tr.ShipmentPickupDate)
			}
		}},
		{"sbx-attemptfail-0001", "Delivered_001", []waybill.Tag{P, IR, IT, OD, AF, OD, DL}, func(t *testing.T, tr waybill.Tracking, _ []waybill.Event) {
			if tr.FirstAttemptedAt != tr.Checkpoints[4].CheckpointTime || tr.Checkpoints[4].Tag != AF {
				t.Errorf("first_attempted_at %q, want the AttemptFail scan's time", tr.FirstAttemptedAt)
			}
		}},
		{"SBXPICKUP42", "Delivered_002", []waybill.Tag{P, IR, IT, AP, DL}, nil},
		{"SBXEXCEPTION7", "Delivered_001", []waybill.Tag{P, IR, IT, EX, IT, OD, DL}, func(t *testing.T, _ waybill.Tracking, changes []waybill.Event) {
			var revisions int
			for _, c := range changes {
				if c.Type == waybill.EventEDDRevise {
					revisions++
				}
			}
			if revisions != 2 {
				t.Errorf("%d edd_revise changes, want 2 (first estimate, then the customs delay)", revisions)
			}
		}},
		{"SBXRETURNED", "Exception_011", []waybill.Tag{P, IR, IT, OD, EX}, func(t *testing.T, tr waybill.Tracking, _ []waybill.Event) {
			if !tr.ReturnToSender || !tr.Active {
				t.Errorf("return_to_sender %v, active %v; want both", tr.ReturnToSender, tr.Active)
			}
		}},
		{"SBX EXPIRED 9", "Expired_001", []waybill.Tag{P, XP}, func(t *testing.T, tr waybill.Tracking, _ []waybill.Event) {
			if len(tr.Checkpoints) != 0 {
				t.Errorf("%d checkpoints, want none", len(tr.Checkpoints))
			}
		}},
	} {
		t.Run(tt.number, func(t *testing.T) {
			t.Parallel()
			tr, tags, changes := playSandbox(t, tt.number, time.Minute)
			if tr.Subtag != tt.wantSubtag {
				t.Errorf("final subtag %s, want %s", tr.Subtag, tt.wantSubtag)
			}
			if diff := cmp.Diff(tt.wantTags, tags); diff != "" {
				t.Errorf("tag sequence mismatch (-want +got):\n%s", diff)
			}
			var firsts int
			for _, c := range changes {
				if c.FirstTag {
					firsts++
				}
			}
			if firsts != 1 || !changes[0].FirstTag {
				t.Errorf("changes %+v: want exactly one first tag, first", changes)
			}
			if tt.check != nil {
				tt.check(t, tr, changes)
			}
		})
	}
}

func TestSandboxNumbers(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	got := SandboxNumbers()
	if len(got) != 6 {
		t.Fatalf("%d journeys, want 6", len(got))
	}
	for _, j := range got {
		_, tags, _ := playSandbox(t, j.Prefix+"0001", 50*time.Millisecond)
		if tags[len(tags)-1] != j.FinalTag {
			t.Errorf("%s ends %s, documented %s", j.Prefix, tags[len(tags)-1], j.FinalTag)
		}
		// Every scan is done after Steps steps, not before.
		before, _ := SandboxFetch(j.Prefix, created, created.Add(time.Duration(j.Steps)*time.Minute-time.Nanosecond), time.Minute)
		after, _ := SandboxFetch(j.Prefix, created, created.Add(time.Duration(j.Steps)*time.Minute), time.Minute)
		if j.FinalTag == waybill.TagExpired {
			if before.Expired || !after.Expired {
				t.Errorf("%s: expired %v before step %d, %v at it", j.Prefix, before.Expired, j.Steps, after.Expired)
			}
			continue
		}
		if len(before.Checkpoints) != j.Steps-1 || len(after.Checkpoints) != j.Steps {
			t.Errorf("%s: %d scans before step %d, %d at it", j.Prefix, len(before.Checkpoints), j.Steps, len(after.Checkpoints))
		}
		for k, c := range after.Checkpoints {
			if want := created.Add(time.Duration(k+1) * time.Minute).Format(time.RFC3339); c.CheckpointTime != want {
				t.Errorf("%s scan %d at %s, want %s", j.Prefix, k+1, c.CheckpointTime, want)
			}
			if tag, sub, ok := MapStatus(SandboxSlug, c.RawTag, ""); !ok || tag != c.Tag || sub != c.Subtag {
				t.Errorf("%s: MapStatus(sandbox, %q) = %s, %s; the scan says %s", j.Prefix, c.RawTag, tag, sub, c.Subtag)
			}
			if c.City == "" || c.CountryName == "" || c.Message == "" || c.Slug != SandboxSlug {
				t.Errorf("%s scan %d is incomplete: %+v", j.Prefix, k+1, c)
			}
			if _, ok := waybill.CountryISO2(c.CountryISO3); !ok {
				t.Errorf("%s scan %d: country %q", j.Prefix, k+1, c.CountryISO3)
			}
		}
	}
	got[0].Prefix = "changed"
	if SandboxNumbers()[0].Prefix == "changed" {
		t.Error("SandboxNumbers returned its own slice")
	}
}

func TestSandboxFetch(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	for _, n := range []string{"SBXUNKNOWN", "SBXDELIVEREDX1", "1Z999AA10123456784", ""} {
		if _, err := SandboxFetch(n, created, created.Add(time.Hour), time.Minute); !errors.Is(err, ErrNotFound) {
			t.Errorf("SandboxFetch(%q) error %v, want ErrNotFound", n, err)
		}
	}
	res, err := SandboxFetch("SBXDELIVERED", created, created.Add(-time.Hour), time.Minute)
	if err != nil || len(res.Checkpoints) != 0 {
		t.Errorf("before creation: %+v, %v", res, err)
	}
	// Pure: the same arguments give the same answer, and a coarser creation
	// time read back from a database gives the same scans.
	a, _ := SandboxFetch("SBXEXCEPTION", created.Add(123456), created.Add(time.Hour), time.Minute)
	b, _ := SandboxFetch("SBXEXCEPTION", created.Add(123000), created.Add(time.Hour), time.Minute)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("SandboxFetch mismatch (-want +got):\n%s", diff)
	}
	if _, err := (&Sandbox{}).Fetch(canceled(), FetchRequest{TrackingNumber: "SBXDELIVERED"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a canceled context: %v", err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestSandboxNextScan(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	at, ok := SandboxNextScan("SBXPICKUP", created, created.Add(90*time.Second), time.Minute)
	if !ok || !at.Equal(created.Add(2*time.Minute)) {
		t.Errorf("SandboxNextScan = %v, %v; want %v", at, ok, created.Add(2*time.Minute))
	}
	if _, ok := SandboxNextScan("SBXPICKUP", created, created.Add(5*time.Minute), time.Minute); ok {
		t.Error("SandboxNextScan after the last scan is ok")
	}
	if got := SandboxPollInterval(0); got != DefaultSandboxStep {
		t.Errorf("SandboxPollInterval(0) = %s", got)
	}
}

func TestRegistryAndErrors(t *testing.T) {
	t.Parallel()
	var r Registry
	if _, ok := r.Lookup(SandboxSlug); ok {
		t.Error("empty registry has a connector")
	}
	r.Register(SandboxSlug, NewSandbox(time.Minute))
	if c, ok := r.Lookup(SandboxSlug); !ok || c == nil {
		t.Error("Lookup after Register failed")
	}
	if diff := cmp.Diff([]string{SandboxSlug}, r.Slugs()); diff != "" {
		t.Errorf("Slugs mismatch (-want +got):\n%s", diff)
	}

	err := fmtWrap(&TemporaryError{Reason: "HTTP 429", RetryAfter: 30 * time.Second})
	if wait, ok := RetryAfter(err); !ok || wait != 30*time.Second {
		t.Errorf("RetryAfter = %s, %v", wait, ok)
	}
	if !errors.Is(err, ErrTemporary) || errors.Is(err, ErrNotFound) {
		t.Error("a wrapped TemporaryError is not ErrTemporary, or is ErrNotFound")
	}
	if _, ok := RetryAfter(ErrNotFound); ok || errors.Is(ErrNotFound, ErrTemporary) {
		t.Error("ErrNotFound is temporary")
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("poll ups/1Z"), err) }
