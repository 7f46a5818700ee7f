package tenant

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
)

// keyCacheTTL bounds how long an authenticated key is taken on trust from
// memory. Revocations do not wait for it: they move the store's key
// generation on, which every Authenticate reads, and empty the cache.
const keyCacheTTL = time.Minute

// keyCacheMax bounds the keys remembered; past it the cache starts over.
const keyCacheMax = 10000

// keyCache remembers the organization of each key that authenticated, by
// the key's SHA-256 (the key itself is not kept), together with the key
// generation (store.APIKeyGeneration) read before the lookup. An entry
// answers only while the generation has not moved. The zero value is
// ready to use.
type keyCache struct {
	mu      sync.Mutex
	gen     int64
	entries map[[sha256.Size]byte]cachedKey
}

type cachedKey struct {
	org   waybill.Organization
	until time.Time
}

// get returns the organization of the key with hash h, when it
// authenticated under generation gen within the TTL. A newer gen than the
// cache's empties it.
func (c *keyCache) get(h [sha256.Size]byte, gen int64, now time.Time) (waybill.Organization, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		if gen > c.gen {
			c.gen, c.entries = gen, nil
		}
		return waybill.Organization{}, false
	}
	e, ok := c.entries[h]
	if !ok || now.After(e.until) {
		return waybill.Organization{}, false
	}
	return e.org, true
}

// put remembers that the key with hash h authenticated as org, looked up
// after generation gen was read. A lookup older than the cache's
// generation is not kept: a key may have been revoked since.
func (c *keyCache) put(h [sha256.Size]byte, gen int64, org waybill.Organization, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return
	}
	if gen > c.gen || c.entries == nil || len(c.entries) >= keyCacheMax {
		c.gen, c.entries = gen, make(map[[sha256.Size]byte]cachedKey)
	}
	c.entries[h] = cachedKey{org: org, until: now.Add(keyCacheTTL)}
}

// claim returns the organization of the key with hash h and the
// generation the cache holds, when the key authenticated under it within
// the TTL. Unlike get it reads no generation: the caller must confirm gen
// (Service.CachedKey).
func (c *keyCache) claim(h [sha256.Size]byte, now time.Time) (waybill.Organization, int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[h]
	if !ok || now.After(e.until) {
		return waybill.Organization{}, 0, false
	}
	return e.org, c.gen, true
}
