package tracking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TestCreateClaimed: the rule of a create whose key is remembered but not
// confirmed. At the key generation claimed, the create is written without
// authenticating; after the generation moved on it is written for the
// organization authenticate returns; a key that no longer authenticates
// gets authenticate's error and nothing is written; and a create that
// fails on its own (a duplicate) shows its error only after authenticate,
// whose error comes first.
func TestCreateClaimed(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) { createClaimed(t, engine) })
	}
}

func createClaimed(t *testing.T, engine string) {
	ctx := context.Background()
	e := newPollEnv(t, engine, "dhl", &scriptedCarrier{answer: transitScan})
	other, err := e.st.Write().CreateOrg(ctx, "other", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	old, current := moveKeyGeneration(t, e)
	errRevoked := waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid API key.")
	input := func(number string) tracking.CreateInput {
		return tracking.CreateInput{TrackingNumber: number, Slug: "dhl"}
	}
	// stored reports the organization holding number, or 0.
	stored := func(number string) int64 {
		for _, org := range []int64{e.org.ID, other.ID} {
			if _, err := e.st.Read().TrackingByNumber(ctx, org, "dhl", number); err == nil {
				return org
			}
		}
		return 0
	}

	for _, tc := range []struct {
		name      string
		number    string
		gen       int64
		authOrg   int64
		authErr   error
		wantCalls int
		wantCode  string
		wantOrg   int64
	}{
		{name: "at the claimed generation", number: "1234567801", gen: current, authOrg: e.org.ID, wantCalls: 0, wantOrg: e.org.ID},
		{name: "generation moved, key still valid", number: "1234567802", gen: old, authOrg: e.org.ID, wantCalls: 1, wantOrg: e.org.ID},
		{name: "generation moved, key now another organization's", number: "1234567803", gen: old, authOrg: other.ID, wantCalls: 1, wantOrg: other.ID},
		{name: "generation moved, key revoked", number: "1234567804", gen: old, authErr: errRevoked, wantCalls: 1, wantCode: waybill.EUNAUTHORIZED},
		{name: "duplicate, key valid", number: "1234567801", gen: current, authOrg: e.org.ID, wantCalls: 1, wantCode: waybill.ECONFLICT, wantOrg: e.org.ID},
		{name: "duplicate, key revoked", number: "1234567801", gen: current, authErr: errRevoked, wantCalls: 1, wantCode: waybill.EUNAUTHORIZED, wantOrg: e.org.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			tr, err := e.svc.CreateClaimed(ctx, e.org.ID, input(tc.number), tc.gen, func() (int64, error) {
				calls++
				return tc.authOrg, tc.authErr
			})
			if calls != tc.wantCalls {
				t.Errorf("authenticate called %d times, want %d", calls, tc.wantCalls)
			}
			switch {
			case tc.wantCode != "":
				if waybill.ErrorCode(err) != tc.wantCode {
					t.Errorf("error %v, want code %s", err, tc.wantCode)
				}
			case err != nil:
				t.Fatalf("create: %v", err)
			case tr.TrackingNumber != tc.number:
				t.Errorf("created %q, want %q", tr.TrackingNumber, tc.number)
			}
			if errors.Is(err, tracking.ErrKeyGenerationMoved) {
				t.Errorf("ErrKeyGenerationMoved reached the caller")
			}
			if got := stored(tc.number); got != tc.wantOrg {
				t.Errorf("tracking %s stored for organization %d, want %d", tc.number, got, tc.wantOrg)
			}
		})
	}
}
