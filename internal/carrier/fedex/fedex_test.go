package fedex_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
	"github.com/waybillhq/waybill/internal/carrier/fedex"
	"github.com/waybillhq/waybill/internal/carrier/fedex/fedexfake"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
)

var goodCreds = map[string]string{"client_id": fedexfake.ClientID, "client_secret": fedexfake.ClientSecret}

func newClock() *carrierfake.Clock {
	return carrierfake.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
}

func setup(t *testing.T, clk *carrierfake.Clock) (*fedexfake.Fake, *fedex.Connector) {
	t.Helper()
	if clk == nil {
		clk = newClock()
	}
	fake := fedexfake.New(clk.Now)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, fedex.New(fedex.Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)})
}

func fetch(c *fedex.Connector, number string) (carrier.FetchResult, error) {
	return c.Fetch(context.Background(), carrier.FetchRequest{Slug: "fedex", TrackingNumber: number, Credentials: goodCreds})
}

func TestJourneyMapsEveryStepAndReusesTheToken(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, c := setup(t, clk)
	const number = "123456789012"
	first := clk.Now()
	wantTags := []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagInTransit, waybill.TagInTransit,
		waybill.TagOutForDelivery, waybill.TagDelivered}
	var res carrier.FetchResult
	for i, want := range wantTags {
		var err error
		if res, err = fetch(c, number); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if len(res.Checkpoints) != i+1 {
			t.Fatalf("poll %d: %d checkpoints", i+1, len(res.Checkpoints))
		}
		if got := res.Checkpoints[i]; got.Tag != want || !waybill.ValidSubtag(got.Tag, got.Subtag) {
			t.Errorf("poll %d: %s/%s, want %s", i+1, got.Tag, got.Subtag, want)
		}
		if i < len(wantTags)-1 {
			begins, ends := fedexfake.WindowOf(first)
			if res.ExpectedDeliveryMin != begins || res.ExpectedDeliveryMax != ends || res.ExpectedDelivery != ends {
				t.Errorf("poll %d: window %q–%q edd %q, want %q–%q", i+1, res.ExpectedDeliveryMin, res.ExpectedDeliveryMax,
					res.ExpectedDelivery, begins, ends)
			}
		}
		clk.Add(time.Minute)
	}
	delivered := res.Checkpoints[5]
	if res.SignedBy != fedexfake.Signer || res.DeliveryDate != delivered.CheckpointTime ||
		res.PickupDate != res.Checkpoints[1].CheckpointTime {
		t.Errorf("signed %q delivery %q pickup %q", res.SignedBy, res.DeliveryDate, res.PickupDate)
	}
	if diff := cmp.Diff([]string{"fedex:spod:" + number}, res.ProofOfDelivery); diff != "" {
		t.Errorf("proof mismatch (-want +got):\n%s", diff)
	}
	if delivered.CountryISO3 != "USA" || delivered.City != "CLOVIS" || !strings.HasSuffix(delivered.CheckpointTime, "-07:00") {
		t.Errorf("delivered checkpoint %+v", delivered)
	}
	if n := fake.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d over 6 polls, want 1", n)
	}
}

func TestBatchesOfThirtyInOrder(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	var reqs []carrier.FetchRequest
	for i := range 65 {
		reqs = append(reqs, carrier.FetchRequest{TrackingNumber: fmt.Sprintf("7000000000%02d", i), Credentials: goodCreds})
	}
	fake.SetUnknown("700000000007")
	if _, err := fetch(c, "700000000042"); err != nil { // one number a step ahead of the others
		t.Fatal(err)
	}
	results := mustBatch(t, c, reqs)
	for i, r := range results {
		want := 1
		switch i {
		case 7:
			if !errors.Is(r.Err, carrier.ErrNotFound) {
				t.Errorf("unknown number: err = %v", r.Err)
			}
			continue
		case 42:
			want = 2
		}
		if r.Err != nil || len(r.Result.Checkpoints) != want {
			t.Errorf("result %d: %d checkpoints, err %v; want %d", i, len(r.Result.Checkpoints), r.Err, want)
		}
	}
	if diff := cmp.Diff([]int{1, 30, 30, 5}, fake.Batches()); diff != "" {
		t.Errorf("batch sizes mismatch (-want +got):\n%s", diff)
	}
	if c.MaxBatch() != 30 {
		t.Errorf("MaxBatch = %d", c.MaxBatch())
	}
}

func TestBatchKeepsPerNumberErrorsAndConnections(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	other := map[string]string{"client_id": fedexfake.ClientID, "client_secret": fedexfake.ClientSecret, "note": "copy"}
	reqs := []carrier.FetchRequest{
		{TrackingNumber: "111111111111", Credentials: goodCreds},
		{TrackingNumber: "222222222222", Credentials: goodCreds},
		{TrackingNumber: "333333333333", Credentials: other},
	}
	fake.SetUnknown("222222222222")
	mustBatch(t, c, reqs)
	mustBatch(t, c, reqs)
	results, err := c.FetchBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 || results[0].Err != nil || len(results[0].Result.Checkpoints) != 3 ||
		!errors.Is(results[1].Err, carrier.ErrNotFound) || results[2].Err != nil || len(results[2].Result.Checkpoints) != 3 {
		t.Fatalf("results %+v", results)
	}
	if fake.Polls("222222222222") != 3 {
		t.Errorf("the unknown number was asked %d times, want 3", fake.Polls("222222222222"))
	}
}

func mustBatch(t *testing.T, c *fedex.Connector, reqs []carrier.FetchRequest) []carrier.BatchResult {
	t.Helper()
	results, err := c.FetchBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d requests", len(results), len(reqs))
	}
	return results
}

func TestTokenRefreshedOnceAfter401(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	for i := range 3 {
		if i == 1 {
			fake.RevokeTokens()
		}
		if _, err := fetch(c, "123456789012"); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
	}
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestRateLimitsAndServerErrorsAreTemporary(t *testing.T) {
	t.Parallel()
	now := newClock().Now()
	for _, tt := range []struct {
		name      string
		failure   carrierfake.Failure
		wantAfter time.Duration
	}{
		{"429 in a window", carrierfake.Failure{Status: 429}, fedex.RateLimitWait},
		{"429 with Retry-After", carrierfake.Failure{Status: 429, RetryAfter: "4"}, 4 * time.Second},
		{"429 daily quota", carrierfake.Failure{Status: 429, Quota: true},
			time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).Sub(now)},
		{"503", carrierfake.Failure{Status: 503}, 0},
		{"500", carrierfake.Failure{Status: 500}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, c := setup(t, nil)
			fake.FailNext(1, tt.failure)
			_, err := c.FetchBatch(context.Background(), []carrier.FetchRequest{
				{TrackingNumber: "1", Credentials: goodCreds}, {TrackingNumber: "2", Credentials: goodCreds}})
			if wait, temporary := carrier.RetryAfter(err); !temporary || wait != tt.wantAfter {
				t.Fatalf("err = %v: temporary %v after %s, want %s", err, temporary, wait, tt.wantAfter)
			}
		})
	}
}

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	if err := c.CheckCredentials(context.Background(), goodCreds); err != nil {
		t.Fatal(err)
	}
	const secret = "s3cr3t-never-shown"
	for _, creds := range []map[string]string{{"client_id": fedexfake.ClientID, "client_secret": secret}, {"client_id": "x"}} {
		err := c.CheckCredentials(context.Background(), creds)
		var ce *carrier.CredentialError
		if !errors.As(err, &ce) || strings.Contains(err.Error(), secret) {
			t.Errorf("%v: err = %v, want a CredentialError without the secret", creds["client_id"], err)
		}
	}
	err := c.CheckCredentials(context.Background(), map[string]string{"client_id": fedexfake.ClientID, "client_secret": secret})
	if !strings.Contains(err.Error(), "NOT.AUTHORIZED.ERROR") {
		t.Errorf("reason %v lacks FedEx's", err)
	}
}

func TestParseDocumentedAnswers(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/delivered_duplicate.json")
	if err != nil {
		t.Fatal(err)
	}
	results, err := fedex.ParseTrack(body, []string{"776094337676"})
	if err != nil || results[0].Err != nil {
		t.Fatal(err, results[0].Err)
	}
	res := results[0].Result
	var got []string
	for _, c := range res.Checkpoints {
		got = append(got, c.CheckpointTime+" "+c.RawTag+" "+c.Subtag)
	}
	want := []string{
		"2024-04-25T11:28:00-07:00 DE Exception_001",
		"2024-04-25T13:26:00-07:00 AF InTransit_003",
		"2024-04-25T14:25:00-07:00 PU InTransit_002",
		"2024-04-25T14:29:00-07:00 AO InTransit_001",
		"2024-04-26T08:52:00-07:00 OD OutForDelivery_001",
		"2024-04-26T09:26:00-07:00 DL Delivered_001",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the newest result's checkpoints mismatch (-want +got):\n%s", diff)
	}
	if res.SignedBy != "D.HERRERA" || res.DeliveryDate != "2024-04-26T09:26:00-07:00" || res.PickupDate != "2024-04-25T08:55:00-07:00" ||
		len(res.ProofOfDelivery) != 1 {
		t.Errorf("result %+v", res)
	}
	if c := res.Checkpoints[4]; c.Location != "CLOVIS, CA, 93612, United States" || c.CountryISO3 != "USA" {
		t.Errorf("OD location %+v", c)
	}

	body, err = os.ReadFile("testdata/not_found.json")
	if err != nil {
		t.Fatal(err)
	}
	results, err = fedex.ParseTrack(body, []string{"39936862321", "999"})
	if err != nil || !errors.Is(results[0].Err, carrier.ErrNotFound) || !errors.Is(results[1].Err, carrier.ErrNotFound) {
		t.Errorf("not found: %v %+v", err, results)
	}
}

func TestExceptionReasonsRefineTheSubtag(t *testing.T) {
	t.Parallel()
	for reason, want := range map[string]string{
		"Customer not available or business closed": "AttemptFail_003",
		"Recipient not home":                        "AttemptFail_002",
		"Refused by recipient":                      "Exception_003",
		"Incorrect address":                         "Exception_007",
		"Package delayed by weather":                "Exception_005",
	} {
		body := fmt.Sprintf(`{"output":{"completeTrackResults":[{"trackingNumber":"1","trackResults":[{"scanEvents":[
			{"date":"2024-04-25T11:28:00-07:00","eventType":"DE","eventDescription":"Delivery exception","exceptionDescription":%q}]}]}]}}`, reason)
		results, err := fedex.ParseTrack([]byte(body), []string{"1"})
		if err != nil || results[0].Err != nil {
			t.Fatal(err, results[0].Err)
		}
		if got := results[0].Result.Checkpoints[0].Subtag; got != want {
			t.Errorf("DE %q = %s, want %s", reason, got, want)
		}
	}
}

func TestMalformedAnswersAreNotTemporary(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{", "[]", `{"output":{}}`, `{"output":{"completeTrackResults":"x"}}`, "<html>"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				_, _ = w.Write([]byte(`{"access_token":"t","expires_in":3599}`))
				return
			}
			_, _ = w.Write([]byte(body))
		}))
		c := fedex.New(fedex.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)})
		_, err := fetch(c, "123456789012")
		srv.Close()
		if _, temporary := carrier.RetryAfter(err); err == nil || temporary || errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("body %q: err = %v, want a lasting error", body, err)
		}
	}
}

func FuzzParseTrack(f *testing.F) {
	for _, name := range []string{"testdata/delivered_duplicate.json", "testdata/not_found.json"} {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"output":{"completeTrackResults":[{"trackingNumber":"1","trackResults":[{"scanEvents":[{"date":"\u0000","eventType":"\xff"}],"estimatedDeliveryTimeWindow":{"window":{"begins":"2021-10-01T08:00:00"}}}]}]}}`))
	f.Add([]byte("\x00\xff" + strings.Repeat("[", 1000)))
	f.Fuzz(func(t *testing.T, body []byte) {
		results, err := fedex.ParseTrack(body, []string{"1", "776094337676"})
		if err != nil {
			return
		}
		if len(results) != 2 {
			t.Fatalf("%d results for 2 numbers", len(results))
		}
		for _, r := range results {
			for _, c := range r.Result.Checkpoints {
				if _, err := waybill.ParseCheckpointTime(c.CheckpointTime); err != nil {
					t.Fatalf("the core refuses checkpoint time %q: %v", c.CheckpointTime, err)
				}
				if !waybill.ValidSubtag(c.Tag, c.Subtag) {
					t.Fatalf("invalid pair %s/%s", c.Tag, c.Subtag)
				}
				for _, s := range []string{c.Message, c.City, c.RawTag, c.Location, c.CheckpointTime} {
					if !waybill.CleanText(s) {
						t.Fatalf("unclean %q", s)
					}
				}
			}
		}
	})
}
