package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
	"github.com/waybillhq/waybill/internal/carrier/oauth"
)

func TestReadCredentialsRefusesAMissingHalf(t *testing.T) {
	t.Parallel()
	cr, err := oauth.ReadCredentials(map[string]string{"client_id": " id ", "client_secret": "s"}, "missing")
	if err != nil || cr.ID != "id" || cr.Secret != "s" {
		t.Fatalf("ReadCredentials = %+v, %v", cr, err)
	}
	for _, creds := range []map[string]string{{"client_id": "id"}, {"client_secret": "s"}, {"client_id": "  ", "client_secret": "s"}} {
		var ce *carrier.CredentialError
		if _, err := oauth.ReadCredentials(creds, "X needs both"); !errors.As(err, &ce) || ce.Reason != "X needs both" {
			t.Errorf("ReadCredentials(%v) error = %v, want a CredentialError saying X needs both", creds, err)
		}
	}
}

func TestSendRetriesOnceWithANewTokenAfter401(t *testing.T) {
	t.Parallel()
	c := oauth.NewCache(nil)
	issued := 0
	fetch := func(ctx context.Context) (oauth.Token, error) {
		issued++
		return oauth.Token{AccessToken: string(rune('a' + issued - 1))}, nil
	}
	var seen []string
	answer := func(status int) func(string) (carrierhttp.Response, error) {
		return func(token string) (carrierhttp.Response, error) {
			seen = append(seen, token)
			if token == "a" {
				return carrierhttp.Response{Status: http.StatusUnauthorized}, nil
			}
			return carrierhttp.Response{Status: status}, nil
		}
	}
	resp, err := c.Send(context.Background(), "k", fetch, answer(http.StatusOK))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("Send = %d, %v; want 200", resp.Status, err)
	}
	if len(seen) != 2 || seen[0] != "a" || seen[1] != "b" || issued != 2 {
		t.Fatalf("tokens sent %v, issued %d; want a (refused) then b", seen, issued)
	}

	// A second refusal is the caller's to report: Send returns it.
	seen = nil
	resp, err = c.Send(context.Background(), "k2", func(ctx context.Context) (oauth.Token, error) {
		return oauth.Token{AccessToken: "a"}, nil
	}, answer(http.StatusOK))
	if err != nil || resp.Status != http.StatusUnauthorized || len(seen) != 2 {
		t.Fatalf("Send with a refused token twice = %d, %v after %d calls; want the second 401", resp.Status, err, len(seen))
	}
}

func TestTokenAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	ep := carrierhttp.NewEndpoint("", "https://carrier.example", nil, func() time.Time { return now })
	answer := func(status int, header http.Header, body string) carrierhttp.Response {
		return carrierhttp.Response{Status: status, Header: header, Body: []byte(body)}
	}

	tok, err := oauth.TokenAnswer(ep, answer(200, nil, `{"access_token":"t","expires_in":"3599"}`), "UPS", "", time.Minute)
	if err != nil || tok.AccessToken != "t" || !tok.Expiry.Equal(now.Add(3599*time.Second)) {
		t.Errorf("200: %+v, %v", tok, err)
	}

	cases := []struct {
		name      string
		resp      carrierhttp.Response
		temporary time.Duration // the RetryAfter of a *carrier.TemporaryError; -1: not one
		credError string        // the reason of a *carrier.CredentialError
	}{
		{"429 without Retry-After waits the carrier's default", answer(429, nil, ""), time.Minute, ""},
		{"429 with Retry-After waits as asked", answer(429, http.Header{"Retry-After": {"7"}}, ""), 7 * time.Second, ""},
		{"503 is temporary", answer(503, nil, ""), 0, ""},
		{"408 is temporary", answer(408, nil, ""), 0, ""},
		{"401 refuses the credentials", answer(401, nil, ""), -1, "UPS: bad secret"},
		{"403 refuses the credentials", answer(403, nil, ""), -1, "UPS: bad secret"},
		{"400 refuses the credentials", answer(400, nil, ""), -1, "UPS: bad secret"},
		{"302 is neither", answer(302, nil, ""), -1, ""},
	}
	for _, tc := range cases {
		_, err := oauth.TokenAnswer(ep, tc.resp, "UPS", "bad secret", time.Minute)
		var te *carrier.TemporaryError
		var ce *carrier.CredentialError
		switch {
		case tc.temporary >= 0:
			if !errors.As(err, &te) || te.RetryAfter != tc.temporary {
				t.Errorf("%s: error %v, want a TemporaryError retrying after %v", tc.name, err, tc.temporary)
			}
		case tc.credError != "":
			if !errors.As(err, &ce) || ce.Reason != tc.credError {
				t.Errorf("%s: error %v, want a CredentialError %q", tc.name, err, tc.credError)
			}
		default:
			if err == nil || errors.As(err, &te) || errors.As(err, &ce) {
				t.Errorf("%s: error %v, want a plain error", tc.name, err)
			}
		}
	}
}
