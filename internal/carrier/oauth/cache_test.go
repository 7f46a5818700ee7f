package oauth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/oauth"
)

func TestTokenIsSharedAndRequestedOnceByConcurrentCallers(t *testing.T) {
	t.Parallel()
	c := oauth.NewCache(nil)
	var requests atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) (oauth.Token, error) {
		requests.Add(1)
		<-release
		return oauth.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)}, nil
	}
	var wg sync.WaitGroup
	got := make(chan string, 10)
	for range 10 {
		wg.Go(func() {
			tok, err := c.Token(context.Background(), "k", fetch)
			if err != nil {
				t.Error(err)
			}
			got <- tok
		})
	}
	time.Sleep(10 * time.Millisecond) // let the callers pile up behind the first (not asserted on)
	close(release)
	wg.Wait()
	close(got)
	for tok := range got {
		if tok != "tok" {
			t.Errorf("token = %q", tok)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestInvalidateRenewsOnlyTheRefusedToken(t *testing.T) {
	t.Parallel()
	c := oauth.NewCache(nil)
	n := 0
	fetch := func(ctx context.Context) (oauth.Token, error) {
		n++
		return oauth.Token{AccessToken: string(rune('a' + n))}, nil
	}
	first, _ := c.Token(context.Background(), "k", fetch)
	c.Invalidate("k", first)
	second, _ := c.Token(context.Background(), "k", fetch)
	c.Invalidate("k", first) // a late 401 with the old token must not drop the new one
	third, _ := c.Token(context.Background(), "k", fetch)
	if first == second || second != third || n != 2 {
		t.Errorf("tokens %q %q %q after %d requests; want a renewal once", first, second, third, n)
	}
}

func TestFailedRequestsAreNotCached(t *testing.T) {
	t.Parallel()
	c := oauth.NewCache(nil)
	boom := errors.New("refused")
	fail := func(ctx context.Context) (oauth.Token, error) { return oauth.Token{}, boom }
	if _, err := c.Token(context.Background(), "k", fail); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	empty := func(ctx context.Context) (oauth.Token, error) { return oauth.Token{}, nil }
	if _, err := c.Token(context.Background(), "k", empty); err == nil {
		t.Fatal("an empty token was accepted")
	}
	ok := func(ctx context.Context) (oauth.Token, error) { return oauth.Token{AccessToken: "x"}, nil }
	if tok, err := c.Token(context.Background(), "k", ok); err != nil || tok != "x" {
		t.Fatalf("after failures: %q, %v", tok, err)
	}
}

func TestAWaiterWhoseLeaderGaveUpAsksAgain(t *testing.T) {
	t.Parallel()
	c := oauth.NewCache(nil)
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	leader := func(ctx context.Context) (oauth.Token, error) {
		close(started)
		<-ctx.Done()
		return oauth.Token{}, ctx.Err()
	}
	done := make(chan error)
	go func() { _, err := c.Token(leaderCtx, "k", leader); done <- err }()
	<-started
	waiter := make(chan string)
	go func() {
		tok, _ := c.Token(context.Background(), "k", func(context.Context) (oauth.Token, error) {
			return oauth.Token{AccessToken: "mine"}, nil
		})
		waiter <- tok
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("leader err = %v", err)
	}
	if tok := <-waiter; tok != "mine" {
		t.Errorf("waiter token = %q, want its own request's", tok)
	}
}

func TestKeySeparatesSecretsWithoutHoldingThem(t *testing.T) {
	t.Parallel()
	a, b := oauth.Key("https://x", "id", "secret-one"), oauth.Key("https://x", "id", "secret-two")
	if a == b {
		t.Error("two secrets share a key")
	}
	if oauth.Key("https://x", "id", "secret-one") != a {
		t.Error("key is not stable")
	}
	for _, k := range []string{a, b} {
		if strings.Contains(k, "secret") {
			t.Errorf("key %q holds the secret", k)
		}
	}
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		body string
		want time.Time
		ok   bool
	}{
		{`{"access_token":"a","expires_in":"14399"}`, now.Add(14399 * time.Second), true},
		{`{"access_token":"a","expires_in":3599}`, now.Add(3599 * time.Second), true},
		{`{"access_token":"a","expires_in":"soon"}`, time.Time{}, true},
		{`{"access_token":"a"}`, time.Time{}, true},
		{`{"expires_in":1}`, time.Time{}, false},
		{`nope`, time.Time{}, false},
	} {
		tok, err := oauth.ParseToken([]byte(tt.body), now)
		if (err == nil) != tt.ok || !tok.Expiry.Equal(tt.want) {
			t.Errorf("%s: %+v, %v", tt.body, tok, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","expires_in":"14399"}`))
	f.Add([]byte(`{"access_token":"\u0000","expires_in":1e300}`))
	f.Add([]byte("\xff\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := oauth.ParseToken(body, time.Unix(0, 0))
		if err == nil && tok.AccessToken == "" {
			t.Fatal("a token without access_token")
		}
	})
}
