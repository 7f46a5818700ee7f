package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// prefix starts every sealed value, so that a plain value stored by an
// older version is never mistaken for a sealed one.
const prefix = "wbx1."

// ErrNoKey is returned by Seal and Open on a Box without keys.
var ErrNoKey = errors.New("secretbox: no WAYBILL_SECRET_KEY configured")

// ErrOpen means a sealed value did not open: it was not sealed by any of
// the configured keys, was sealed for other associated data, or was
// altered.
var ErrOpen = errors.New("secretbox: value does not open with the configured keys")

// Box seals and opens secrets. The zero value has no keys: Seal and Open
// fail with ErrNoKey. A Box is safe for concurrent use.
type Box struct {
	keys []sealer // keys[0] seals
}

type sealer struct {
	id   string // 8 hex characters naming the key in sealed values
	aead cipher.AEAD
}

// Parse reads WAYBILL_SECRET_KEY: one or more comma-separated keys, each
// 32 bytes written as base64 (standard or URL alphabet, padded or not) or
// as 64 hex digits. The first key seals; all of them open. An empty
// string gives a Box without keys.
func Parse(spec string) (*Box, error) {
	b := &Box{}
	if strings.TrimSpace(spec) == "" {
		return b, nil
	}
	for i, part := range strings.Split(spec, ",") {
		raw, err := decodeKey(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("secretbox: key %d of WAYBILL_SECRET_KEY: %w", i+1, err)
		}
		s, err := newSealer(raw)
		if err != nil {
			return nil, err
		}
		b.keys = append(b.keys, s)
	}
	return b, nil
}

// New returns a Box with the given raw keys (each KeySize bytes); the
// first seals.
func New(keys ...[]byte) (*Box, error) {
	b := &Box{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("secretbox: key %d has %d bytes, want %d", i+1, len(k), KeySize)
		}
		s, err := newSealer(k)
		if err != nil {
			return nil, err
		}
		b.keys = append(b.keys, s)
	}
	return b, nil
}

// GenerateKey returns a fresh random key written as base64, ready for
// WAYBILL_SECRET_KEY.
func GenerateKey() string {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return base64.StdEncoding.EncodeToString(k)
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("decodes to %d bytes, want %d (generate one with: openssl rand -base64 32)", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("is neither base64 nor hex (generate one with: openssl rand -base64 32)")
}

func newSealer(key []byte) (sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, fmt.Errorf("secretbox: %w", err)
	}
	sum := sha256.Sum256(append([]byte("waybill secretbox key id\x00"), key...))
	return sealer{id: hex.EncodeToString(sum[:4]), aead: aead}, nil
}

// HasKey reports whether the Box can seal and open.
func (b *Box) HasKey() bool { return b != nil && len(b.keys) > 0 }

// Seal encrypts plaintext bound to associated data and returns printable
// text ("wbx1.<key id>.<base64>") safe to store in a text column. The
// same plaintext sealed twice gives different text (random nonce).
func (b *Box) Seal(plaintext, associated []byte) (string, error) {
	if !b.HasKey() {
		return "", ErrNoKey
	}
	k := b.keys[0]
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := k.aead.Seal(nonce, nonce, plaintext, associated)
	return prefix + k.id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal with the same associated data. It
// returns ErrOpen when no configured key opens it.
func (b *Box) Open(sealed string, associated []byte) ([]byte, error) {
	if !b.HasKey() {
		return nil, ErrNoKey
	}
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return nil, ErrOpen
	}
	id, body, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrOpen
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, ErrOpen
	}
	for _, k := range b.keys {
		if k.id != id || len(raw) < k.aead.NonceSize() {
			continue
		}
		n := k.aead.NonceSize()
		if plain, err := k.aead.Open(nil, raw[:n], raw[n:], associated); err == nil {
			return plain, nil
		}
	}
	return nil, ErrOpen
}

// NeedsReseal reports whether a sealed value was made with a key other
// than the current first one, so a rotation job can re-seal it.
func (b *Box) NeedsReseal(sealed string) bool {
	if !b.HasKey() {
		return false
	}
	return !strings.HasPrefix(sealed, prefix+b.keys[0].id+".")
}

// IsSealed reports whether s looks like a value made by Seal.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }
