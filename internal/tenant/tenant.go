// Package tenant creates organizations and their API keys. The CLI, the
// bootstrap at start-up and the tests all go through it, so a new
// organization always starts with its default activated couriers.
package tenant

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// Service manages organizations and keys.
type Service struct {
	Store *store.Store

	mu    sync.Mutex
	cache map[[sha256.Size]byte]cachedOrg
}

// cachedOrg is a recent successful authentication. Keys are never revoked
// today, so a short cache only saves the database a lookup per request.
type cachedOrg struct {
	org     waybill.Organization
	expires time.Time
}

const (
	authCacheTTL  = 30 * time.Second
	authCacheSize = 10_000
)

// CreateOrg creates an organization with the default activated couriers and
// a first API key, which is returned in clear: it is never shown again.
func (s *Service) CreateOrg(ctx context.Context, name string) (waybill.Organization, string, error) {
	key := store.NewAPIKey()
	var org waybill.Organization
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if org, err = tx.CreateOrg(ctx, name, time.Now()); err != nil {
			return err
		}
		if err := tx.ActivateCouriers(ctx, org.ID, courier.DefaultActivated()); err != nil {
			return err
		}
		_, err = tx.AddAPIKey(ctx, org.ID, key, time.Now())
		return err
	})
	if err != nil {
		return waybill.Organization{}, "", err
	}
	return org, key, nil
}

// CreateKey adds a new API key to an existing organization and returns it
// in clear.
func (s *Service) CreateKey(ctx context.Context, orgName string) (string, error) {
	org, err := s.Store.Read().OrgByName(ctx, orgName)
	if err != nil {
		return "", err
	}
	key := store.NewAPIKey()
	if _, err := s.Store.Write().AddAPIKey(ctx, org.ID, key, time.Now()); err != nil {
		return "", err
	}
	return key, nil
}

// Bootstrap makes sure an organization named name exists and accepts key.
// Running it again with the same values changes nothing; several instances
// may run it at once. A key that belongs to another organization gives
// ECONFLICT.
func (s *Service) Bootstrap(ctx context.Context, name, key string) (waybill.Organization, error) {
	for attempt := 0; ; attempt++ {
		var org waybill.Organization
		raced := false
		err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			org, err = tx.OrgByName(ctx, name)
			if waybill.ErrorCode(err) == waybill.ENOTFOUND {
				if org, err = tx.CreateOrg(ctx, name, time.Now()); err != nil {
					raced = waybill.ErrorCode(err) == waybill.ECONFLICT
					return err
				}
				if err := tx.ActivateCouriers(ctx, org.ID, courier.DefaultActivated()); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			_, err = tx.AddAPIKey(ctx, org.ID, key, time.Now())
			return err
		})
		// Another instance created the organization between our read and
		// our insert: read it again.
		if raced && attempt < 3 {
			continue
		}
		return org, err
	}
}

// Authenticate resolves an API key to its organization, or EUNAUTHORIZED.
// A key that authenticated in the last 30 seconds is answered from memory
// (by its SHA-256; the key itself is not kept).
func (s *Service) Authenticate(ctx context.Context, key string) (waybill.Organization, error) {
	h := sha256.Sum256([]byte(key))
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[h]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.org, nil
	}
	org, err := s.Store.Read().Authenticate(ctx, key)
	if err != nil {
		return org, err
	}
	s.mu.Lock()
	if s.cache == nil || len(s.cache) >= authCacheSize {
		s.cache = make(map[[sha256.Size]byte]cachedOrg)
	}
	s.cache[h] = cachedOrg{org: org, expires: now.Add(authCacheTTL)}
	s.mu.Unlock()
	return org, nil
}
