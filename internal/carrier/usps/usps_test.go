package usps_test

import (
	"context"
	"encoding/json"
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
	"github.com/waybillhq/waybill/internal/carrier/oauth"
	"github.com/waybillhq/waybill/internal/carrier/usps"
	"github.com/waybillhq/waybill/internal/carrier/usps/uspsfake"
)

var goodCreds = map[string]string{"client_id": uspsfake.ClientID, "client_secret": uspsfake.ClientSecret}

func newClock() *carrierfake.Clock {
	return carrierfake.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
}

func setup(t *testing.T, clk *carrierfake.Clock) (*uspsfake.Fake, *usps.Connector) {
	t.Helper()
	if clk == nil {
		clk = newClock()
	}
	fake := uspsfake.New(clk.Now)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, usps.New(usps.Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)})
}

func fetch(c *usps.Connector, number string) (carrier.FetchResult, error) {
	return c.Fetch(context.Background(), carrier.FetchRequest{Slug: "usps", TrackingNumber: number, Credentials: goodCreds})
}

var journeyTags = []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagInTransit, waybill.TagInTransit,
	waybill.TagOutForDelivery, waybill.TagDelivered}

// checkJourney polls a fake journey to its end with poll and checks
// every step and the delivered result.
func checkJourney(t *testing.T, clk *carrierfake.Clock, poll func() (carrier.FetchResult, error)) {
	t.Helper()
	first := clk.Now()
	var res carrier.FetchResult
	for i, want := range journeyTags {
		var err error
		if res, err = poll(); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if len(res.Checkpoints) != i+1 {
			t.Fatalf("poll %d: %d checkpoints", i+1, len(res.Checkpoints))
		}
		if got := res.Checkpoints[i]; got.Tag != want || !waybill.ValidSubtag(got.Tag, got.Subtag) {
			t.Errorf("poll %d: %s/%s, want %s", i+1, got.Tag, got.Subtag, want)
		}
		if i < len(journeyTags)-1 {
			day := uspsfake.ExpectedDay(first)
			if res.ExpectedDeliveryMin != day+"T10:00:00" || res.ExpectedDeliveryMax != day+"T14:00:00" || res.ExpectedDelivery != res.ExpectedDeliveryMax {
				t.Errorf("poll %d: window %q–%q edd %q, want %s 10–14", i+1, res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery, day)
			}
		}
		clk.Add(time.Hour)
	}
	local := first.In(time.FixedZone("", -5*3600))
	if got, want := res.Checkpoints[0].CheckpointTime, local.Format("2006-01-02T15:04:05")+"-05:00"; got != want {
		t.Errorf("label time %q, want the local time with USPS's GMTOffset %q", got, want)
	}
	if got, want := res.Checkpoints[3].CheckpointTime, local.Add(3*time.Hour).Format("2006-01-02T15:04:05")+"-05:00"; got != want {
		t.Errorf("in-transit time %q, want the local time with its neighbours' offset %q (USPS gave none)", got, want)
	}
	delivered := res.Checkpoints[5]
	if res.SignedBy != uspsfake.Recipient || res.DeliveryDate != delivered.CheckpointTime || res.PickupDate != res.Checkpoints[1].CheckpointTime {
		t.Errorf("signed %q delivery %q pickup %q", res.SignedBy, res.DeliveryDate, res.PickupDate)
	}
	if len(res.ProofOfDelivery) != 1 || delivered.CountryISO3 != "USA" || delivered.City != "HERNANDO" || delivered.Zip != "34442" {
		t.Errorf("proof %v, delivered %+v", res.ProofOfDelivery, delivered)
	}
}

func TestJourneyThroughTheSingleGET(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, c := setup(t, clk)
	checkJourney(t, clk, func() (carrier.FetchResult, error) { return fetch(c, "9400109104250532908587") })
	if n := fake.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d over 6 polls, want 1", n)
	}
}

func TestJourneyThroughTheBatchPOST(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, c := setup(t, clk)
	checkJourney(t, clk, func() (carrier.FetchResult, error) {
		results, err := c.FetchBatch(context.Background(), []carrier.FetchRequest{{TrackingNumber: "9400109104250532908587", Credentials: goodCreds}})
		if err != nil {
			return carrier.FetchResult{}, err
		}
		return results[0].Result, results[0].Err
	})
	if diff := cmp.Diff([]int{1, 1, 1, 1, 1, 1}, fake.Batches()); diff != "" {
		t.Errorf("batches mismatch (-want +got):\n%s", diff)
	}
}

func TestBatchesOfThirtyFiveWithFailedItems(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	var reqs []carrier.FetchRequest
	for i := range 40 {
		reqs = append(reqs, carrier.FetchRequest{TrackingNumber: fmt.Sprintf("94001091042505329085%02d", i), Credentials: goodCreds})
	}
	fake.SetUnknown(reqs[36].TrackingNumber)
	if _, err := fetch(c, reqs[3].TrackingNumber); err != nil {
		t.Fatal(err)
	}
	results, err := c.FetchBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		want := 1
		switch i {
		case 36:
			if !errors.Is(r.Err, carrier.ErrNotFound) {
				t.Errorf("unknown number in a 207: err = %v", r.Err)
			}
			continue
		case 3:
			want = 2
		}
		if r.Err != nil || len(r.Result.Checkpoints) != want {
			t.Errorf("result %d: %d checkpoints, err %v; want %d", i, len(r.Result.Checkpoints), r.Err, want)
		}
	}
	if diff := cmp.Diff([]int{35, 5}, fake.Batches()); diff != "" {
		t.Errorf("batches mismatch (-want +got):\n%s", diff)
	}
}

func TestTokenRefreshedOnceAfter401(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	for i := range 3 {
		if i == 1 {
			fake.RevokeTokens()
		}
		if _, err := fetch(c, "9400109104250532908587"); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
	}
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestAppWithoutTrackingScope(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	fake.SetScope("domestic-prices addresses international-prices service-standards locations shipments")
	err := c.CheckCredentials(context.Background(), goodCreds)
	var ce *carrier.CredentialError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, `"tracking" scope`) {
		t.Fatalf("CheckCredentials = %v, want a refusal naming the tracking scope", err)
	}
	if _, err := fetch(c, "9400109104250532908587"); err == nil || errors.Is(err, carrier.ErrTemporary) {
		t.Errorf("fetch without the scope: err = %v, want a lasting error", err)
	}
}

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	if err := c.CheckCredentials(context.Background(), goodCreds); err != nil {
		t.Fatal(err)
	}
	const secret = "s3cr3t-never-shown"
	err := c.CheckCredentials(context.Background(), map[string]string{"client_id": uspsfake.ClientID, "client_secret": secret})
	var ce *carrier.CredentialError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "Client authentication failed.") || strings.Contains(err.Error(), secret) {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestRateLimitAndUnavailableAreTemporary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		failure   carrierfake.Failure
		wantAfter time.Duration
	}{
		{carrierfake.Failure{Status: 429, RetryAfter: "30"}, 30 * time.Second},
		{carrierfake.Failure{Status: 429}, usps.RateLimitWait},
		{carrierfake.Failure{Status: 503, RetryAfter: "120"}, 2 * time.Minute},
	} {
		fake, c := setup(t, nil)
		fake.FailNext(2, tt.failure)
		_, err := fetch(c, "9400109104250532908587")
		if wait, temporary := carrier.RetryAfter(err); !temporary || wait != tt.wantAfter {
			t.Errorf("%+v: err = %v: temporary %v after %s, want %s", tt.failure, err, temporary, wait, tt.wantAfter)
		}
		_, err = c.FetchBatch(context.Background(), []carrier.FetchRequest{{TrackingNumber: "1", Credentials: goodCreds}})
		if wait, temporary := carrier.RetryAfter(err); !temporary || wait != tt.wantAfter {
			t.Errorf("batch %+v: err = %v: temporary %v after %s, want %s", tt.failure, err, temporary, wait, tt.wantAfter)
		}
	}
}

func TestUnknownNumberIsNotFound(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	fake.SetUnknown("9205590982952107001084")
	if _, err := fetch(c, "9205590982952107001084"); !errors.Is(err, carrier.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestParseDocumentedAnswers(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/delivered.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := usps.ParseTracking(body, "9400109104250532908587")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Checkpoints {
		got = append(got, c.CheckpointTime+" "+c.RawTag+" "+c.Subtag+" "+c.CountryISO3)
	}
	want := []string{
		"2024-11-20T01:11:00-05:00 TL InTransit_001 ",
		"2024-11-20T01:13:00-05:00 A1 InTransit_003 USA",
		"2024-11-22T09:10:00-05:00 OF OutForDelivery_001 USA",
		"2024-11-22T13:58:00-05:00 01 Delivered_001 USA",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checkpoints mismatch (-want +got):\n%s", diff)
	}
	if res.DeliveryDate != "2024-11-22T13:58:00-05:00" || res.ProofOfDelivery != nil || res.SignedBy != "" {
		t.Errorf("result %+v", res)
	}

	body, err = os.ReadFile("testdata/pre_shipment.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err = usps.ParseTracking(body, "9205590982952107001084")
	if err != nil || len(res.Checkpoints) != 1 || res.Checkpoints[0].Tag != waybill.TagInfoReceived ||
		res.Checkpoints[0].CheckpointTime != "2023-08-02T07:31:00" {
		t.Errorf("pre-shipment (a Z that is not UTC is dropped): %+v, %v", res.Checkpoints, err)
	}
}

func TestEventTimeFromGMTWhenTheOffsetIsMissing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ event, want string }{
		{`{"eventTimestamp":"2024-11-22T13:58:00","GMTTimestamp":"2024-11-22T18:58:40Z"}`, "2024-11-22T13:58:00-05:00"},
		{`{"eventTimestamp":"2024-07-01T09:00:00","GMTTimestamp":"2024-07-01T16:00:10Z"}`, "2024-07-01T09:00:00-07:00"},
		{`{"eventTimestamp":"09:00","GMTTimestamp":"2024-07-01T16:00:10Z"}`, "2024-07-01T16:00:10Z"},
		{`{"eventTimestamp":"2024-07-01 09:00:00.000000","GMTOffset":"-4:00"}`, "2024-07-01T09:00:00-04:00"},
	} {
		body := `{"trackingEvents":[` + strings.Replace(tt.event, "{", `{"eventCode":"10",`, 1) + `]}`
		res, err := usps.ParseTracking([]byte(body), "1")
		if err != nil || len(res.Checkpoints) != 1 || res.Checkpoints[0].CheckpointTime != tt.want {
			t.Errorf("%s: %+v %v, want %s", tt.event, res.Checkpoints, err, tt.want)
		}
	}
}

func TestDocumentedErrorsAreClassified(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var bodies map[string]json.RawMessage
	if err := json.Unmarshal(raw, &bodies); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		status        int
		body          string
		notFound, tmp bool
	}{
		{404, "404", true, false},
		{429, "429", false, true},
		{401, "401", false, false},
		{400, "404", false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				_, _ = w.Write([]byte(`{"access_token":"t","expires_in":28799,"scope":"tracking"}`))
				return
			}
			w.WriteHeader(tt.status)
			_, _ = w.Write(bodies[tt.body])
		}))
		c := usps.New(usps.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)})
		_, err := fetch(c, "1")
		srv.Close()
		_, tmp := carrier.RetryAfter(err)
		if err == nil || errors.Is(err, carrier.ErrNotFound) != tt.notFound || tmp != tt.tmp {
			t.Errorf("HTTP %d: err = %v", tt.status, err)
		}
	}
}

func TestMalformedAnswersAreNotTemporary(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{", "<html>", `{"trackingEvents":"x"}`, `{"trackingEvents":[{"eventTimestamp":"never"}]}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				_, _ = w.Write([]byte(`{"access_token":"t","expires_in":"28799"}`))
				return
			}
			_, _ = w.Write([]byte(body))
		}))
		c := usps.New(usps.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)})
		_, err := fetch(c, "1")
		_, berr := c.FetchBatch(context.Background(), []carrier.FetchRequest{{TrackingNumber: "1", Credentials: goodCreds}})
		srv.Close()
		if _, temporary := carrier.RetryAfter(err); err == nil || temporary || errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("body %q: err = %v, want a lasting error", body, err)
		}
		if berr == nil {
			t.Errorf("batch body %q: no error", body)
		}
	}
}

func FuzzParseTracking(f *testing.F) {
	for _, name := range []string{"testdata/delivered.json", "testdata/pre_shipment.json"} {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"trackingEvents":[{"eventTimestamp":"\u0000","GMTOffset":"+99:99","eventCode":"\xff"}],"deliveryDateExpectation":{"predictedDeliveryWindowStartTime":"25:00"}}`))
	f.Add([]byte(`[{"trackingNumber":"1","error":"x"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(res carrier.FetchResult) {
			for _, c := range res.Checkpoints {
				if _, err := waybill.ParseCheckpointTime(c.CheckpointTime); err != nil {
					t.Fatalf("the core refuses checkpoint time %q: %v", c.CheckpointTime, err)
				}
				if !waybill.ValidSubtag(c.Tag, c.Subtag) {
					t.Fatalf("invalid pair %s/%s", c.Tag, c.Subtag)
				}
				for _, s := range []string{c.Message, c.City, c.RawTag, c.Location, c.CheckpointTime, res.SignedBy} {
					if !waybill.CleanText(s) {
						t.Fatalf("unclean %q", s)
					}
				}
			}
		}
		if res, err := usps.ParseTracking(body, "1"); err == nil {
			check(res)
		}
		if results, err := usps.ParseBatch(body, []string{"1", "2"}); err == nil {
			if len(results) != 2 {
				t.Fatalf("%d results", len(results))
			}
			for _, r := range results {
				check(r.Result)
			}
		}
	})
}
