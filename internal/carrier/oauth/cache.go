// Package oauth caches the OAuth 2 access tokens of carrier connections.
//
// A token is requested once per connection and process, kept until
// shortly before it expires, and shared by every poll of that connection;
// when several polls need a token at once, one request is made and the
// others wait for it. A connector that gets a 401 with a cached token
// calls Invalidate and asks again, so a revoked token is refreshed once.
package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// Token is an access token and when it stops being valid.
type Token struct {
	AccessToken string
	// Expiry is when the carrier stops accepting the token; zero means
	// the carrier did not say, and the token is kept for DefaultLifetime.
	Expiry time.Time
}

// DefaultLifetime is how long a token without an expiry is kept.
const DefaultLifetime = 30 * time.Minute

// MaxMargin is the most a token is renewed before it expires; tokens
// with a short lifetime are renewed a tenth of it early instead.
const MaxMargin = 5 * time.Minute

// Fetcher requests a new token from the carrier. Its error is returned
// as it is to every caller waiting for the token, and nothing is cached.
type Fetcher func(ctx context.Context) (Token, error)

// Cache holds tokens by connection key. Its zero value is not usable; use
// NewCache or Shared. It is safe for concurrent use.
type Cache struct {
	now func() time.Time

	mu      sync.Mutex
	tokens  map[string]cached
	pending map[string]*call
}

type cached struct {
	token   string
	renewAt time.Time
	expiry  time.Time
}

// call is a token request in flight, which later callers wait for.
type call struct {
	done  chan struct{}
	token string
	err   error
}

// NewCache returns an empty cache that reads the clock with now (nil
// means time.Now).
func NewCache(now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{now: now, tokens: map[string]cached{}, pending: map[string]*call{}}
}

// Shared is the process's cache, used by connectors that are not given
// one, so that every connector value of the process shares its tokens.
var Shared = NewCache(nil)

// Key identifies a connection: the carrier's base URL, the client id and
// a hash of the secret (so a changed secret gets a new token, and the
// secret itself is never kept as a map key).
func Key(baseURL, clientID, clientSecret string) string {
	sum := sha256.Sum256([]byte(clientSecret))
	return baseURL + "\x00" + clientID + "\x00" + hex.EncodeToString(sum[:16])
}

// Token returns the cached token of key while it is not about to expire,
// and otherwise calls fetch (once for all concurrent callers of the same
// key) and caches its answer. It returns ctx's error when ctx is done
// before the token is there.
func (c *Cache) Token(ctx context.Context, key string, fetch Fetcher) (string, error) {
	for {
		c.mu.Lock()
		if t, ok := c.tokens[key]; ok && c.now().Before(t.renewAt) {
			c.mu.Unlock()
			return t.token, nil
		}
		cl, waiting := c.pending[key]
		if !waiting {
			cl = &call{done: make(chan struct{})}
			c.pending[key] = cl
			c.mu.Unlock()
			c.run(ctx, key, cl, fetch)
			return cl.token, cl.err
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-cl.done:
		}
		// The request of another caller ended because its own context was
		// done: ask again with ours.
		if cl.err != nil && (errors.Is(cl.err, context.Canceled) || errors.Is(cl.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue
		}
		return cl.token, cl.err
	}
}

// run makes the token request of cl and publishes its answer.
func (c *Cache) run(ctx context.Context, key string, cl *call, fetch Fetcher) {
	defer func() {
		c.mu.Lock()
		delete(c.pending, key)
		c.mu.Unlock()
		close(cl.done)
	}()
	tok, err := fetch(ctx)
	if err == nil && tok.AccessToken == "" {
		err = errors.New("oauth: the carrier answered without an access token")
	}
	if err != nil {
		cl.err = err
		return
	}
	now := c.now()
	expiry := tok.Expiry
	if expiry.IsZero() {
		expiry = now.Add(DefaultLifetime)
	}
	margin := min(expiry.Sub(now)/10, MaxMargin)
	cl.token = tok.AccessToken
	c.mu.Lock()
	c.dropExpired(now)
	c.tokens[key] = cached{token: tok.AccessToken, renewAt: expiry.Add(-margin), expiry: expiry}
	c.mu.Unlock()
}

// Invalidate forgets key's token if it still is stale, the token the
// carrier just refused: the next Token call requests a new one. A token
// that another caller has already renewed is kept, so that polls refused
// together make one new request.
func (c *Cache) Invalidate(key, stale string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tokens[key]; ok && t.token == stale {
		delete(c.tokens, key)
	}
}

// dropExpired forgets expired tokens, so that connections deleted or
// re-keyed do not keep theirs forever. c.mu is held.
func (c *Cache) dropExpired(now time.Time) {
	for k, t := range c.tokens {
		if !now.Before(t.expiry) {
			delete(c.tokens, k)
		}
	}
}

// Use calls call with key's token (Token), and once more with a new
// token when call reports that the carrier refused the first one (a 401):
// the refused token is invalidated first, so concurrent callers refused
// together make one new request. A second refusal is call's to report in
// its error; Use returns call's error, or the token request's.
func (c *Cache) Use(ctx context.Context, key string, fetch Fetcher, call func(token string) (refused bool, err error)) error {
	for attempt := 0; ; attempt++ {
		token, err := c.Token(ctx, key, fetch)
		if err != nil {
			return err
		}
		refused, err := call(token)
		if !refused || attempt > 0 {
			return err
		}
		c.Invalidate(key, token)
	}
}
