package ups_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
	"github.com/waybillhq/waybill/internal/carrier/ups"
	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
)

var goodCreds = map[string]string{"client_id": upsfake.ClientID, "client_secret": upsfake.ClientSecret}

// clock is a settable clock shared by a fake and a connector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)} }

// setup starts a fake UPS and a connector with its own token cache.
func setup(t *testing.T, clk *clock) (*upsfake.Fake, *ups.Connector) {
	t.Helper()
	if clk == nil {
		clk = newClock()
	}
	fake := upsfake.New(clk.Now)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c := ups.New(ups.Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Now: clk.Now, Tokens: oauth.NewCache(clk.Now)})
	return fake, c
}

func fetch(c *ups.Connector, number string) (carrier.FetchResult, error) {
	return c.Fetch(context.Background(), carrier.FetchRequest{Slug: "ups", TrackingNumber: number, Credentials: goodCreds})
}

func TestJourneyMapsEveryStepAndReusesTheToken(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, c := setup(t, clk)
	const number = "1Z999AA10123456784"
	wantTags := []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagInTransit, waybill.TagInTransit,
		waybill.TagOutForDelivery, waybill.TagDelivered}
	var res carrier.FetchResult
	for i, want := range wantTags {
		var err error
		res, err = fetch(c, number)
		if err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if len(res.Checkpoints) != i+1 {
			t.Fatalf("poll %d: %d checkpoints, want %d", i+1, len(res.Checkpoints), i+1)
		}
		last := res.Checkpoints[i]
		if last.Tag != want || !waybill.ValidSubtag(last.Tag, last.Subtag) {
			t.Errorf("poll %d: tag %s/%s, want %s with one of its subtags", i+1, last.Tag, last.Subtag, want)
		}
		if i < len(wantTags)-1 {
			day := upsfake.ExpectedDay(clk.Now().Add(-time.Duration(i) * time.Minute)).Format(time.DateOnly)
			if res.ExpectedDeliveryMin != day+"T09:00:00" || res.ExpectedDeliveryMax != day+"T13:00:00" ||
				res.ExpectedDelivery != res.ExpectedDeliveryMax {
				t.Errorf("poll %d: window %q–%q (edd %q), want %s 09:00–13:00", i+1, res.ExpectedDeliveryMin,
					res.ExpectedDeliveryMax, res.ExpectedDelivery, day)
			}
		}
		clk.Add(time.Minute)
	}
	if got := res.Checkpoints[1].Subtag; got != "InTransit_002" {
		t.Errorf("pickup subtag = %s, want InTransit_002", got)
	}
	if res.SignedBy != upsfake.Receiver {
		t.Errorf("SignedBy = %q, want %q", res.SignedBy, upsfake.Receiver)
	}
	delivered := res.Checkpoints[len(res.Checkpoints)-1]
	if res.DeliveryDate != delivered.CheckpointTime {
		t.Errorf("DeliveryDate = %q, want the delivery scan's local time %q", res.DeliveryDate, delivered.CheckpointTime)
	}
	if !strings.HasSuffix(delivered.CheckpointTime, "-05:00") {
		t.Errorf("checkpoint time %q lacks UPS's offset", delivered.CheckpointTime)
	}
	if want := res.Checkpoints[1].CheckpointTime[:10]; res.PickupDate != want {
		t.Errorf("PickupDate = %q, want %q", res.PickupDate, want)
	}
	if delivered.CountryISO3 != "USA" || delivered.City != "NEW YORK" || delivered.Zip != "10001" {
		t.Errorf("delivered location = %+v, want NEW YORK 10001 USA", delivered)
	}
	if n := fake.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d over %d polls, want 1", n, len(wantTags))
	}
}

func TestTokenRenewedShortlyBeforeExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, c := setup(t, clk)
	fake.SetTokenLifetime(time.Hour)
	for _, wait := range []time.Duration{0, 50 * time.Minute} {
		clk.Add(wait)
		if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.TokenRequests(); n != 1 {
		t.Fatalf("token requests after 50 min of a 60 min token = %d, want 1", n)
	}
	clk.Add(6 * time.Minute) // inside the last 5 minutes of the token
	if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
		t.Fatal(err)
	}
	if n := fake.TokenRequests(); n != 2 {
		t.Fatalf("token requests 4 min before expiry = %d, want 2", n)
	}
}

func TestTokenRefreshedOnceAfter401(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
		t.Fatalf("poll after the token was revoked: %v", err)
	}
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d, want 2 (one refresh)", n)
	}
}

func TestConcurrentPollsMakeOneTokenRequest(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			_, err := fetch(c, "1Z999AA1012345678"+string(rune('0'+i%10)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.TokenRequests(); n != 1 {
		t.Errorf("token requests = %d for 20 concurrent polls, want 1", n)
	}
}

func TestConcurrentPollsRefusedTogetherMakeOneRefresh(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d after 10 polls refused together, want 2", n)
	}
}

func TestConnectorsOfOneProcessShareTokens(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake := upsfake.New(clk.Now)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cache := oauth.NewCache(clk.Now)
	for range 2 {
		c := ups.New(ups.Options{BaseURL: srv.URL, Now: clk.Now, Tokens: cache})
		if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
			t.Fatal(err)
		}
	}
	other := map[string]string{"client_id": upsfake.ClientID, "client_secret": "another secret"}
	c := ups.New(ups.Options{BaseURL: srv.URL, Now: clk.Now, Tokens: cache})
	_, err := c.Fetch(context.Background(), carrier.FetchRequest{TrackingNumber: "1Z999AA10123456784", Credentials: other})
	if n := fake.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d, want 1 for the shared connection and 1 for another secret", n)
	}
	if err == nil {
		t.Error("a wrong secret fetched")
	}
}

func TestRateLimitAndServerErrorsAreTemporary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		failure   carrierfake.Failure
		wantAfter time.Duration
	}{
		{"429 without Retry-After", carrierfake.Failure{Status: 429}, ups.RateLimitWait},
		{"503 with Retry-After", carrierfake.Failure{Status: 503, RetryAfter: "30"}, 30 * time.Second},
		{"500", carrierfake.Failure{Status: 500}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, c := setup(t, nil)
			fake.FailNext(1, tt.failure)
			_, err := fetch(c, "1Z999AA10123456784")
			wait, temporary := carrier.RetryAfter(err)
			if !temporary || wait != tt.wantAfter {
				t.Fatalf("err = %v: temporary %v, retry after %s; want temporary, %s", err, temporary, wait, tt.wantAfter)
			}
			if _, err := fetch(c, "1Z999AA10123456784"); err != nil {
				t.Errorf("poll after the failure: %v", err)
			}
		})
	}
}

func TestUnknownAndInvalidNumbersAreNotFound(t *testing.T) {
	t.Parallel()
	fake, c := setup(t, nil)
	fake.SetUnknown("1Z5629230309413682")
	for _, number := range []string{"1Z5629230309413682", "1Z$"} {
		_, err := fetch(c, number)
		if !errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", number, err)
		}
	}
	fake.SetKnown("1Z5629230309413682")
	if res, err := fetch(c, "1Z5629230309413682"); err != nil || len(res.Checkpoints) != 1 {
		t.Errorf("once known: %d checkpoints, err %v; want 1, nil", len(res.Checkpoints), err)
	}
}

func TestCheckCredentials(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	if err := c.CheckCredentials(context.Background(), goodCreds); err != nil {
		t.Fatalf("good credentials: %v", err)
	}
	const secret = "s3cr3t-never-shown"
	for _, creds := range []map[string]string{
		{"client_id": upsfake.ClientID, "client_secret": secret},
		{"client_id": "nobody", "client_secret": secret, "account_number": "123456"},
		{"client_secret": secret},
		nil,
	} {
		err := c.CheckCredentials(context.Background(), creds)
		var ce *carrier.CredentialError
		if !errors.As(err, &ce) {
			t.Fatalf("%v: err = %v, want a CredentialError", creds["client_id"], err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the secret: %v", err)
		}
		if creds["client_secret"] != "" && creds["client_id"] != "" && !strings.Contains(ce.Reason, "ClientId is Invalid") {
			t.Errorf("reason %q does not carry UPS's own", ce.Reason)
		}
	}
}

func TestMalformedAnswersAreNotTemporaryAndDoNotPanic(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{", "[]", `{"trackResponse":{"shipment":[]}}`, "<html>", `{"trackResponse":7}`,
		strings.Repeat(" ", ups.MaxBodyForTest+1)} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				_, _ = w.Write([]byte(`{"access_token":"t","expires_in":"3600"}`))
				return
			}
			_, _ = w.Write([]byte(body))
		}))
		c := ups.New(ups.Options{BaseURL: srv.URL, Tokens: oauth.NewCache(nil)})
		_, err := fetch(c, "1Z999AA10123456784")
		srv.Close()
		if _, temporary := carrier.RetryAfter(err); err == nil || temporary || errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("body %.20q: err = %v, want a lasting error", body, err)
		}
	}
}

func TestParseDocumentedAnswers(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/in_transit.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := ups.ParseTrack(body, "1Z00160W0391111222")
	if err != nil {
		t.Fatal(err)
	}
	type cp struct{ Time, Tag, Subtag, Raw, City, Country, Message string }
	var got []cp
	for _, c := range res.Checkpoints {
		got = append(got, cp{c.CheckpointTime, string(c.Tag), c.Subtag, c.RawTag, c.City, c.CountryISO3, c.Message})
	}
	want := []cp{
		{"2025-12-08T11:40:24-05:00", "InfoReceived", "InfoReceived_001", "MP", "", "USA", "Shipper created a label, UPS has not received the package yet."},
		{"2025-12-09T16:08:47-05:00", "InTransit", "InTransit_002", "OR", "Teketh", "USA", "Arrived at Facility"},
		{"2025-12-11T03:41:00-06:00", "InTransit", "InTransit_001", "AR", "Gedgkins", "USA", "Arrived at Facility"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checkpoints mismatch (-want +got):\n%s", diff)
	}
	if res.ExpectedDelivery != "2025-12-16" || res.PickupDate != "2025-12-08" || res.DeliveryDate != "" {
		t.Errorf("dates: edd %q pickup %q delivery %q", res.ExpectedDelivery, res.PickupDate, res.DeliveryDate)
	}

	body, err = os.ReadFile("testdata/not_found.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ups.ParseTrack(body, "1Z5629230309413682"); !errors.Is(err, carrier.ErrNotFound) {
		t.Errorf("TW0001: err = %v, want ErrNotFound", err)
	}
}

func TestFetchStopsWithItsContext(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Fetch(ctx, carrier.FetchRequest{TrackingNumber: "1Z999AA10123456784", Credentials: goodCreds})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func FuzzParseTrack(f *testing.F) {
	for _, name := range []string{"testdata/in_transit.json", "testdata/not_found.json"} {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte(`{"trackResponse":{"shipment":[{"package":[{"activity":[{"date":"20250230","time":"9999","gmtOffset":"+99:99","status":{"type":"U","description":"\u0000\xff"}}],"deliveryDate":[{"type":"DEL","date":"2025"}]}]}]}}`))
	f.Add([]byte(`{"trackResponse":{"shipment":[{"package":[{"activity":[{"date":"00010101","time":"000000","status":{"type":"I"}}]}]}]}}`))
	f.Add([]byte("\x00\xff" + strings.Repeat("a", 5000)))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := ups.ParseTrack(body, "1Z")
		if err != nil {
			return
		}
		for _, c := range res.Checkpoints {
			if _, err := waybill.ParseCheckpointTime(c.CheckpointTime); err != nil {
				t.Fatalf("the core refuses checkpoint time %q: %v", c.CheckpointTime, err)
			}
			if !waybill.ValidSubtag(c.Tag, c.Subtag) {
				t.Fatalf("invalid tag pair %s/%s", c.Tag, c.Subtag)
			}
			for _, s := range []string{c.Message, c.City, c.RawTag, c.Location, c.CheckpointTime} {
				if !waybill.CleanText(s) {
					t.Fatalf("unclean text %q", s)
				}
			}
		}
	})
}
