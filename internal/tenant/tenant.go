// Package tenant creates organizations and their API keys. The CLI, the
// bootstrap at start-up and the tests all go through it.
package tenant

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/reqlog"
	"github.com/waybillhq/waybill/internal/store"
)

// Service manages organizations and keys. It is safe for concurrent use.
type Service struct {
	Store *store.Store

	keys keyCache        // authenticated keys, while no key is revoked
	gens generationReads // reads of the key generation, shared
}

// CreateOrg creates an organization, with every courier of the registry
// activated (no stored choice; see tracking.Service.Activated), and a first
// API key, which is returned in clear: it is never shown again.
func (s *Service) CreateOrg(ctx context.Context, name string) (waybill.Organization, string, error) {
	key := store.NewAPIKey()
	var org waybill.Organization
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if org, err = tx.CreateOrg(ctx, name, time.Now()); err != nil {
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
// A key revoked on any instance is refused at once on every other: each
// call reads the store's key generation (one row; concurrent calls share
// a read that began after they did), which a revocation moves on in its
// own transaction, and answers from memory only a key that
// authenticated under the same generation within the last minute; any
// other key is looked up (one indexed lookup, the hash compared in
// constant time). Keys that fail are not remembered.
// The organization is noted for the request log (internal/reqlog).
func (s *Service) Authenticate(ctx context.Context, key string) (waybill.Organization, error) {
	gen, err := s.gens.read(ctx, s.Store.Read().APIKeyGeneration)
	if err != nil {
		return waybill.Organization{}, err
	}
	h := sha256.Sum256([]byte(key))
	org, ok := s.keys.get(h, gen, time.Now())
	if !ok {
		if org, err = s.Store.Read().Authenticate(ctx, key); err != nil {
			return waybill.Organization{}, err
		}
		s.keys.put(h, gen, org, time.Now())
	}
	reqlog.NoteOrg(ctx, org.ID)
	return org, nil
}

// CachedKey returns, from memory alone, the organization that key
// authenticated as and the key generation it authenticated under, when
// Authenticate remembers it (within its TTL). That is a claim, not an
// authentication: it holds only while the generation is still gen. A
// caller may serve the request with it only from a read that also read
// the generation in the same snapshot (store.Queries.TrackingAtKeyGeneration)
// and found gen, and then calls Confirmed; otherwise it calls Authenticate.
// A revocation committed before the request arrived has moved the
// generation on, so such a read cannot find gen.
func (s *Service) CachedKey(key string) (org waybill.Organization, gen int64, ok bool) {
	return s.keys.claim(sha256.Sum256([]byte(key)), time.Now())
}

// Confirmed records that a request was served for org after CachedKey's
// claim was confirmed, as Authenticate records it (the request log's
// organization).
func (s *Service) Confirmed(ctx context.Context, org waybill.Organization) {
	reqlog.NoteOrg(ctx, org.ID)
}

// ListOrgs returns every organization with its number of keys.
func (s *Service) ListOrgs(ctx context.Context) ([]store.OrgSummary, error) {
	return s.Store.Read().ListOrgs(ctx)
}

// OrgDetails is what an operator sees of one organization.
type OrgDetails struct {
	waybill.Organization
	Keys     []waybill.APIKey
	Couriers []string // activated slugs, sorted
}

// Org returns the organization named name with its keys and activated
// couriers, or ENOTFOUND.
func (s *Service) Org(ctx context.Context, name string) (OrgDetails, error) {
	org, err := s.Store.Read().OrgByName(ctx, name)
	if err != nil {
		return OrgDetails{}, err
	}
	d := OrgDetails{Organization: org}
	if d.Keys, err = s.Store.Read().APIKeys(ctx, org.ID); err != nil {
		return OrgDetails{}, err
	}
	if d.Couriers, err = s.Store.Read().ActivatedCouriers(ctx, org.ID); err != nil {
		return OrgDetails{}, err
	}
	return d, nil
}

// Keys returns the keys (prefixes only) of the organization named orgName.
func (s *Service) Keys(ctx context.Context, orgName string) ([]waybill.APIKey, error) {
	org, err := s.Store.Read().OrgByName(ctx, orgName)
	if err != nil {
		return nil, err
	}
	return s.Store.Read().APIKeys(ctx, org.ID)
}

// RevokeKey deletes the key of organization orgName that starts with
// prefix (as `waybill key list` shows it; a whole key is accepted too). From
// the moment it returns, the key authenticates nowhere.
func (s *Service) RevokeKey(ctx context.Context, orgName, prefix string) (waybill.APIKey, error) {
	org, err := s.Store.Read().OrgByName(ctx, orgName)
	if err != nil {
		return waybill.APIKey{}, err
	}
	if p := store.KeyPrefix(prefix); p != "" {
		prefix = p
	}
	return s.Store.Write().RevokeAPIKey(ctx, org.ID, prefix)
}

// HasOrgs reports whether any organization exists: serve tells an operator
// how to create the first one when none does.
func (s *Service) HasOrgs(ctx context.Context) (bool, error) {
	return s.Store.Read().HasOrgs(ctx)
}
