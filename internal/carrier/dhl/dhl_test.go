package dhl_test

import (
	"context"
	"errors"
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
	"github.com/waybillhq/waybill/internal/carrier/dhl"
	"github.com/waybillhq/waybill/internal/carrier/dhl/dhlfake"
)

var goodCreds = map[string]string{"api_key": dhlfake.APIKey}

func newClock() *carrierfake.Clock {
	return carrierfake.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
}

func setup(t *testing.T, clk *carrierfake.Clock) (*dhlfake.Fake, *dhl.Connector) {
	t.Helper()
	if clk == nil {
		clk = newClock()
	}
	fake := dhlfake.New(clk.Now)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, dhl.New(dhl.Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Now: clk.Now})
}

func fetch(c *dhl.Connector, number string) (carrier.FetchResult, error) {
	return c.Fetch(context.Background(), carrier.FetchRequest{Slug: "dhl", TrackingNumber: number, Credentials: goodCreds})
}

func TestJourneyMapsEveryStep(t *testing.T) {
	t.Parallel()
	clk := newClock()
	_, c := setup(t, clk)
	first := clk.Now()
	wantSubtags := []string{"InfoReceived_001", "InTransit_002", "InTransit_003", "InTransit_007", "OutForDelivery_001", "Delivered_001"}
	var res carrier.FetchResult
	for i, want := range wantSubtags {
		var err error
		if res, err = fetch(c, "1234567890"); err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if len(res.Checkpoints) != i+1 {
			t.Fatalf("poll %d: %d checkpoints", i+1, len(res.Checkpoints))
		}
		if got := res.Checkpoints[i]; got.Subtag != want || !waybill.ValidSubtag(got.Tag, got.Subtag) {
			t.Errorf("poll %d: %s/%s, want %s", i+1, got.Tag, got.Subtag, want)
		}
		if i < len(wantSubtags)-1 {
			from, through := dhlfake.WindowOf(first)
			if res.ExpectedDeliveryMin != from || res.ExpectedDeliveryMax != through || res.ExpectedDelivery != through {
				t.Errorf("poll %d: window %q–%q edd %q", i+1, res.ExpectedDeliveryMin, res.ExpectedDeliveryMax, res.ExpectedDelivery)
			}
		}
		clk.Add(10 * time.Minute)
	}
	delivered := res.Checkpoints[5]
	if res.SignedBy != dhlfake.SignerGivenName+" "+dhlfake.SignerFamilyName || res.DeliveryDate != delivered.CheckpointTime ||
		res.PickupDate != res.Checkpoints[1].CheckpointTime {
		t.Errorf("signed %q delivery %q pickup %q", res.SignedBy, res.DeliveryDate, res.PickupDate)
	}
	if diff := cmp.Diff([]string{dhlfake.PODURL}, res.ProofOfDelivery); diff != "" {
		t.Errorf("proof mismatch (-want +got):\n%s", diff)
	}
	if delivered.CountryISO3 != "DEU" || delivered.Zip != "53113" || !strings.HasSuffix(delivered.CheckpointTime, "+01:00") {
		t.Errorf("delivered %+v", delivered)
	}
}

func TestParcelDETimesStayWithoutOffset(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	res, err := c.Fetch(context.Background(), carrier.FetchRequest{Slug: "dhl-germany", TrackingNumber: "470800204932", Credentials: goodCreds})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Checkpoints[0].CheckpointTime; len(got) != len("2006-01-02T15:04:05") {
		t.Errorf("parcel-de time %q gained an offset DHL did not give", got)
	}
}

func TestQueryCarriesServiceAndCourierFields(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	_, err := c.Fetch(context.Background(), carrier.FetchRequest{Slug: "dhl-germany", TrackingNumber: "00340434292135100179",
		Credentials: goodCreds, CourierFields: waybill.CourierFields{PostalCode: "53113", OriginCountry: "DEU"}})
	if err != nil {
		t.Fatal(err)
	}
	q := fake.LastQuery()
	if q.Get("service") != "parcel-de" || q.Get("recipientPostalCode") != "53113" || q.Get("originCountryCode") != "DE" {
		t.Errorf("query %v", q)
	}
}

func TestRateLimitWaitsGrowToTheDailyQuota(t *testing.T) {
	t.Parallel()
	clk := newClock() // 15:00 UTC
	fake, c := setup(t, clk)
	fake.FailNext(3, carrierfake.Failure{Status: 429})
	for i, want := range []time.Duration{dhl.FirstRateLimitWait, dhl.SecondRateLimitWait, 9 * time.Hour} {
		_, err := fetch(c, "1234567890")
		if wait, temporary := carrier.RetryAfter(err); !temporary || wait != want {
			t.Fatalf("429 #%d: err = %v, wait %s; want %s", i+1, err, wait, want)
		}
	}
	if _, err := fetch(c, "1234567890"); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(1, carrierfake.Failure{Status: 429})
	if wait, _ := carrier.RetryAfter(func() error { _, err := fetch(c, "1234567890"); return err }()); wait != dhl.FirstRateLimitWait {
		t.Errorf("a 429 after a success waits %s, want %s", wait, dhl.FirstRateLimitWait)
	}
	fake.FailNext(1, carrierfake.Failure{Status: 429, RetryAfter: "7"})
	if wait, _ := carrier.RetryAfter(func() error { _, err := fetch(c, "1234567890"); return err }()); wait != 7*time.Second {
		t.Errorf("Retry-After 7: wait %s", wait)
	}
}

func TestRateLimitOfOneKeyDoesNotSlowAnother(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"status": 429, "title": "Too Many Requests", "detail": "Too many requests within defined time period, please try again later."}`))
	}))
	defer srv.Close()
	c := dhl.New(dhl.Options{BaseURL: srv.URL})
	ask := func(key string) time.Duration {
		_, err := c.Fetch(context.Background(), carrier.FetchRequest{TrackingNumber: "1", Credentials: map[string]string{"api_key": key}})
		wait, _ := carrier.RetryAfter(err)
		return wait
	}
	if a1, a2 := ask("key-a"), ask("key-a"); a1 != dhl.FirstRateLimitWait || a2 != dhl.SecondRateLimitWait {
		t.Fatalf("key a waits %s then %s", a1, a2)
	}
	if b := ask("key-b"); b != dhl.FirstRateLimitWait {
		t.Errorf("another key's first 429 waits %s, want %s", b, dhl.FirstRateLimitWait)
	}
}

func TestServerErrorsAreTemporary(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	fake.FailNext(1, carrierfake.Failure{Status: 503, RetryAfter: "20"})
	_, err := fetch(c, "1")
	if wait, temporary := carrier.RetryAfter(err); !temporary || wait != 20*time.Second {
		t.Errorf("503: err = %v", err)
	}
}

func TestUnknownNumberIsNotFound(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	fake.SetUnknown("8264715546")
	_, err := fetch(c, "8264715546")
	if !errors.Is(err, carrier.ErrNotFound) || !strings.Contains(err.Error(), "No shipment with given tracking number found.") {
		t.Errorf("err = %v, want ErrNotFound with DHL's detail", err)
	}
}

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	if err := c.CheckCredentials(context.Background(), goodCreds); err != nil {
		t.Fatal(err)
	}
	fake.SetUnknown(dhl.CheckNumber)
	if err := c.CheckCredentials(context.Background(), goodCreds); err != nil {
		t.Errorf("a good key whose check number is unknown: %v", err)
	}
	const secret = "s3cr3t-never-shown"
	err := c.CheckCredentials(context.Background(), map[string]string{"api_key": secret})
	var ce *carrier.CredentialError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "Unauthorized") || strings.Contains(err.Error(), secret) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := c.Fetch(context.Background(), carrier.FetchRequest{TrackingNumber: "1", Credentials: map[string]string{"api_key": secret}}); err == nil ||
		strings.Contains(err.Error(), secret) || errors.Is(err, carrier.ErrTemporary) {
		t.Errorf("fetch with a wrong key: %v", err)
	}
	if err := c.CheckCredentials(context.Background(), nil); !errors.As(err, &ce) {
		t.Errorf("no key: %v", err)
	}
}

func TestParseDocumentedAnswers(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/spec_example.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := dhl.ParseShipments(body, "7777777770")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checkpoints) != 1 || res.Checkpoints[0].Subtag != "InfoReceived_001" || res.Checkpoints[0].CountryISO3 != "NLD" ||
		res.Checkpoints[0].CheckpointTime != "2018-03-02T07:53:47" {
		t.Errorf("spec example checkpoints %+v", res.Checkpoints)
	}
	if res.SignedBy != "John Doe" || res.ExpectedDeliveryMax != "2018-08-03T22:00:00Z" ||
		!cmp.Equal(res.ProofOfDelivery, []string{"https://webpod.dhl.com/webPOD/DHLePODRequest"}) {
		t.Errorf("spec example %+v", res)
	}

	body, err = os.ReadFile("testdata/parcel_de_delivered.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err = dhl.ParseShipments(body, "470800204932")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Checkpoints {
		got = append(got, c.CheckpointTime+" "+c.Subtag)
	}
	want := []string{"2023-03-01T16:18:00 InfoReceived_001", "2023-03-13T08:36:00 OutForDelivery_001", "2023-03-13T09:50:00 Delivered_001"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parcel-de mismatch (-want +got):\n%s", diff)
	}
	if res.DeliveryDate != "2023-03-13T09:50:00" {
		t.Errorf("delivery date %q", res.DeliveryDate)
	}
	if _, err := dhl.ParseShipments([]byte(`{"shipments":[]}`), "1"); !errors.Is(err, carrier.ErrNotFound) {
		t.Errorf("no shipments: %v", err)
	}
}

func TestTextRefinesTheStatusCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ code, text, want string }{
		{"transit", "Shipment is out with courier for delivery", "OutForDelivery_001"},
		{"transit", "Ihre Sendung liegt in der Packstation 123 abholbereit", "AvailableForPickup_001"},
		{"transit", "Zustellversuch: Empfänger nicht angetroffen", "AttemptFail_001"},
		{"transit", "Delivered", "InTransit_001"}, // a transit code is never a delivery
		{"failure", "Delivery attempt failed: recipient not home", "AttemptFail_001"},
		{"failure", "Returned to sender", "Exception_011"},
		{"failure", "Something went wrong", "Exception_001"},
		{"delivered", "Delivered to neighbour", "Delivered_005"},
		{"unknown", "Shipment is on hold", "InTransit_001"},
		{"", "Out for delivery", "OutForDelivery_001"},
	} {
		body := `{"shipments":[{"id":"1","events":[{"timestamp":"2024-01-01T10:00:00","statusCode":"` + tt.code + `","description":"` + tt.text + `"}]}]}`
		res, err := dhl.ParseShipments([]byte(body), "1")
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Checkpoints[0].Subtag; got != tt.want {
			t.Errorf("%s %q = %s, want %s", tt.code, tt.text, got, tt.want)
		}
	}
}

func TestMalformedAnswersAreNotTemporary(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{", "<html>", `{"shipments":"x"}`, `{"shipments":[{"events":[{"timestamp":"never"}]}]}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		c := dhl.New(dhl.Options{BaseURL: srv.URL})
		_, err := fetch(c, "1")
		srv.Close()
		if _, temporary := carrier.RetryAfter(err); err == nil || temporary || errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("body %q: err = %v, want a lasting error", body, err)
		}
	}
}

func FuzzParseShipments(f *testing.F) {
	for _, name := range []string{"testdata/spec_example.json", "testdata/parcel_de_delivered.json"} {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"shipments":[{"id":1e999,"events":[{"timestamp":"2024-01-01T10:00:00","statusCode":"\u0000","description":"\xff"}],"details":{"proofOfDelivery":{"signed":{"name":"` + strings.Repeat("x", 2000) + `"}}}}]}`))
	f.Add([]byte(`{"shipments":[{"events":[{"timestamp":"0001-01-01T00:00:00","statusCode":"transit"}],"pickUpDate":"9999-12-31"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := dhl.ParseShipments(body, "1")
		if err != nil {
			return
		}
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
	})
}
