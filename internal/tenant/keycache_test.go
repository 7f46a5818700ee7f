package tenant

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
)

func TestKeyCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	acme := waybill.Organization{ID: 7, Name: "acme"}
	h := sha256.Sum256([]byte("wb_somekeyofsixteenormore"))
	other := sha256.Sum256([]byte("wb_anotherkeyofsixteenormore"))
	for _, tt := range []struct {
		name string
		put  int64 // generation the key authenticated under
		get  int64 // generation read by the later call
		key  [sha256.Size]byte
		age  time.Duration
		want bool
	}{
		{"same generation, fresh", 3, 3, h, time.Second, true},
		{"another key", 3, 3, other, time.Second, false},
		{"a key revoked since", 3, 4, h, time.Second, false},
		{"past the TTL", 3, 3, h, keyCacheTTL + time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c keyCache
			c.put(h, tt.put, acme, now)
			org, ok := c.get(tt.key, tt.get, now.Add(tt.age))
			if ok != tt.want || (ok && org != acme) {
				t.Errorf("get = %v, %v; want found %v", org, ok, tt.want)
			}
		})
	}

	t.Run("a newer generation empties it for good", func(t *testing.T) {
		var c keyCache
		c.put(h, 3, acme, now)
		if _, ok := c.get(h, 4, now); ok {
			t.Fatal("answered under a newer generation")
		}
		if _, ok := c.get(h, 3, now); ok {
			t.Error("a call that read the old generation late was answered from the emptied cache")
		}
		// A lookup made under the old generation, finishing late, is not kept.
		c.put(h, 3, acme, now)
		if _, ok := c.get(h, 4, now); ok {
			t.Error("a lookup older than the cache's generation was kept")
		}
	})
}
