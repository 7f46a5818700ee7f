package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/waybillhq/waybill"
)

// keyPrefixLen is how much of a key is stored in clear to find its row. The
// rest is only ever compared as a SHA-256 hash, in constant time.
const keyPrefixLen = 10

// NewAPIKey returns a fresh random key: "wb_" and 32 characters of base32
// (160 bits).
func NewAPIKey() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "wb_" + base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// AddAPIKey stores key (hashed) for the organization. Adding a key that the
// organization already has is a no-op, so bootstrapping is idempotent.
func (q *Queries) AddAPIKey(ctx context.Context, orgID int64, key string, now time.Time) (waybill.APIKey, error) {
	if len(key) < 16 {
		return waybill.APIKey{}, waybill.Invalid(waybill.ReasonFieldInvalid, "an API key must be at least 16 characters")
	}
	if org, err := q.Authenticate(ctx, key); err == nil {
		if org.ID != orgID {
			return waybill.APIKey{}, waybill.Errorf(waybill.ECONFLICT, "that API key belongs to another organization")
		}
		return waybill.APIKey{OrgID: orgID, Prefix: key[:keyPrefixLen]}, nil
	}
	k := waybill.APIKey{OrgID: orgID, Prefix: key[:keyPrefixLen], CreatedAt: now.UTC()}
	err := q.q.QueryRowContext(ctx,
		`INSERT INTO api_keys (org_id, prefix, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, k.Prefix, hashKey(key), toMicros(now)).Scan(&k.ID)
	if err != nil {
		return waybill.APIKey{}, fmt.Errorf("add API key: %w", err)
	}
	return k, nil
}

// Authenticate returns the organization that owns key, or EUNAUTHORIZED. The
// comparison of hashes is constant-time.
func (q *Queries) Authenticate(ctx context.Context, key string) (waybill.Organization, error) {
	unauthorized := waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid API key.")
	if len(key) < 16 || len(key) > 256 {
		return waybill.Organization{}, unauthorized
	}
	rows, err := q.q.QueryContext(ctx,
		apiKeyByPrefixSQL,
		key[:keyPrefixLen])
	if err != nil {
		return waybill.Organization{}, fmt.Errorf("authenticate: %w", err)
	}
	defer rows.Close()
	want := hashKey(key)
	var found *waybill.Organization
	for rows.Next() {
		var hash []byte
		var org waybill.Organization
		var created int64
		if err := rows.Scan(&hash, &org.ID, &org.Name, &created); err != nil {
			return waybill.Organization{}, fmt.Errorf("authenticate: %w", err)
		}
		if subtle.ConstantTimeCompare(hash, want) == 1 {
			org.CreatedAt = fromMicros(created)
			found = &org
		}
	}
	if err := rows.Err(); err != nil {
		return waybill.Organization{}, fmt.Errorf("authenticate: %w", err)
	}
	if found == nil {
		return waybill.Organization{}, unauthorized
	}
	return *found, nil
}

// APIKeyGeneration returns a number that moves on whenever an API key is
// deleted (revoked), in the same transaction as the deletion, whoever
// deletes it: a cache of authenticated keys that saw generation g is
// still true while this returns g.
func (q *Queries) APIKeyGeneration(ctx context.Context) (int64, error) {
	var g int64
	if err := q.q.QueryRowContext(ctx, apiKeyGenerationSQL).Scan(&g); err != nil {
		return 0, fmt.Errorf("read API key generation: %w", err)
	}
	return g, nil
}

// APIKeys returns the organization's keys (their prefixes, never the keys),
// oldest first.
func (q *Queries) APIKeys(ctx context.Context, orgID int64) ([]waybill.APIKey, error) {
	rows, err := q.q.QueryContext(ctx,
		`SELECT id, org_id, prefix, created_at FROM api_keys WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	defer rows.Close()
	keys := []waybill.APIKey{}
	for rows.Next() {
		var k waybill.APIKey
		var created int64
		if err := rows.Scan(&k.ID, &k.OrgID, &k.Prefix, &created); err != nil {
			return nil, fmt.Errorf("list API keys: %w", err)
		}
		k.CreatedAt = fromMicros(created)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeAPIKey deletes the organization's key whose prefix is prefix, so it
// never authenticates again, and returns what it was. A prefix the
// organization has no key with gives ENOTFOUND.
func (q *Queries) RevokeAPIKey(ctx context.Context, orgID int64, prefix string) (waybill.APIKey, error) {
	k := waybill.APIKey{OrgID: orgID, Prefix: prefix}
	var created int64
	err := q.q.QueryRowContext(ctx,
		`DELETE FROM api_keys WHERE org_id = $1 AND prefix = $2 RETURNING id, created_at`, orgID, prefix).Scan(&k.ID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return waybill.APIKey{}, waybill.Errorf(waybill.ENOTFOUND, "the organization has no API key %q", prefix)
	} else if err != nil {
		return waybill.APIKey{}, fmt.Errorf("revoke API key: %w", err)
	}
	k.CreatedAt = fromMicros(created)
	return k, nil
}

// KeyPrefix returns the part of key that identifies it in listings and
// revocations (stored in clear), or "" when key is too short to be one.
func KeyPrefix(key string) string {
	if len(key) < keyPrefixLen {
		return ""
	}
	return key[:keyPrefixLen]
}
