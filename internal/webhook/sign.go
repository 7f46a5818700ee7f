package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the two signature schemes. http.Header canonicalizes
// them (Webhook-Id …); HTTP header names are case-insensitive.
const (
	HeaderAfterShipSignature = "aftership-hmac-sha256"
	HeaderWebhookID          = "webhook-id"
	HeaderWebhookTimestamp   = "webhook-timestamp"
	HeaderWebhookSignature   = "webhook-signature"
)

// SecretPrefix starts every secret NewSecret makes, as in the Standard
// Webhooks specification.
const SecretPrefix = "whsec_"

// Key sizes: NewSecret makes 32 random bytes; a Standard Webhooks key must
// decode to 24–64 bytes (the specification's range; its own test vector
// uses 24).
const (
	secretBytes = 32
	minKeyBytes = 24
	maxKeyBytes = 64
)

// DefaultTolerance is how far a webhook-timestamp may be from the
// verifier's clock, either way, before VerifyStandard refuses it.
const DefaultTolerance = 5 * time.Minute

// Errors of signing and verification. Callers test them with errors.Is.
var (
	// ErrInvalidSecret: the secret is not "whsec_" (optional) followed by
	// standard base64 of 24 to 64 bytes.
	ErrInvalidSecret = errors.New("webhook: secret is not whsec_ followed by base64 of 24 to 64 bytes")
	// ErrNoSecret: Sign was given no secret.
	ErrNoSecret = errors.New("webhook: no signing secret")
	// ErrMissingSignature: a signature header (or webhook-id) is absent.
	ErrMissingSignature = errors.New("webhook: signature header missing")
	// ErrSignatureMismatch: no signature matches the secret and the body.
	ErrSignatureMismatch = errors.New("webhook: signature does not match")
	// ErrInvalidTimestamp: webhook-timestamp is missing or not unix seconds.
	ErrInvalidTimestamp = errors.New("webhook: webhook-timestamp missing or invalid")
	// ErrTimestampOutOfTolerance: webhook-timestamp is too far from now.
	ErrTimestampOutOfTolerance = errors.New("webhook: webhook-timestamp outside the tolerance")
)

// NewSecret returns a fresh signing secret: "whsec_" and the standard
// base64 of 32 bytes from crypto/rand. Every call returns a different
// secret; the error only reports a failing system random source.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new webhook secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// standardKey returns the HMAC key of a secret under the Standard Webhooks
// scheme: the base64-decoded text after "whsec_". Like the specification's
// reference libraries it also takes the base64 text without the prefix, so
// a receiver may paste either form.
func standardKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) < minKeyBytes || len(key) > maxKeyBytes {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// AfterShipSignature returns AfterShip's aftership-hmac-sha256 value:
// base64(HMAC-SHA256(key = secret exactly as given, "whsec_" included,
// message = body)). Any secret is accepted, as AfterShip's are free text.
func AfterShipSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// StandardSignature returns one Standard Webhooks signature,
// "v1,<base64 HMAC-SHA256 of {id}.{unix seconds of ts}.{body}>", keyed with
// the decoded secret. It fails only with ErrInvalidSecret.
func StandardSignature(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := standardKey(secret)
	if err != nil {
		return "", err
	}
	return standardSignature(hmac.New(sha256.New, key), signedPrefix(id, ts), body), nil
}

// signedPrefix is "{id}.{timestamp}.", the part of the signed content that
// precedes the body.
func signedPrefix(id string, ts time.Time) []byte {
	p := make([]byte, 0, len(id)+22)
	p = append(p, id...)
	p = append(p, '.')
	p = strconv.AppendInt(p, ts.Unix(), 10)
	return append(p, '.')
}

func standardSignature(mac hash.Hash, prefix, body []byte) string {
	mac.Write(prefix)
	mac.Write(body)
	var sum [sha256.Size]byte
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// Sign sets the headers of both schemes on h for a delivery of body:
//
//   - webhook-id = eventID and webhook-timestamp = ts in unix seconds;
//   - webhook-signature: one "v1,…" signature per secret, space-separated,
//     in the order given, so that during a rotation a receiver holding the
//     old or the new secret verifies;
//   - aftership-hmac-sha256 with the last secret given only, because an
//     AfterShip receiver compares a single value and holds a single
//     secret. Pass the active secrets newest first: the last is then the
//     oldest, the one such a receiver still holds while a rotation
//     overlaps, and the new secret takes over this header when the old
//     one expires.
//
// Sign returns ErrNoSecret for no secrets, or an error wrapping
// ErrInvalidSecret; h is then left unchanged, so that nothing half-signed
// goes out. Existing values of these four headers are replaced.
func Sign(h http.Header, eventID string, ts time.Time, body []byte, secrets []string) error {
	if len(secrets) == 0 {
		return fmt.Errorf("sign event %s: %w", eventID, ErrNoSecret)
	}
	prefix := signedPrefix(eventID, ts)
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		key, err := standardKey(s)
		if err != nil {
			return fmt.Errorf("sign event %s with secret %d of %d: %w", eventID, i+1, len(secrets), err)
		}
		sigs[i] = standardSignature(hmac.New(sha256.New, key), prefix, body)
	}
	h.Set(HeaderWebhookID, eventID)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderWebhookSignature, strings.Join(sigs, " "))
	h.Set(HeaderAfterShipSignature, AfterShipSignature(secrets[len(secrets)-1], body))
	return nil
}

// VerifyAfterShip checks an aftership-hmac-sha256 value against secret and
// the raw body, in constant time. It returns nil, ErrMissingSignature for an
// empty value, or ErrSignatureMismatch. The scheme has no timestamp, so it
// cannot detect a replay; receivers that can should prefer VerifyStandard.
func VerifyAfterShip(secret string, body []byte, signature string) error {
	if signature == "" {
		return ErrMissingSignature
	}
	if !hmac.Equal([]byte(AfterShipSignature(secret, body)), []byte(signature)) {
		return ErrSignatureMismatch
	}
	return nil
}

// VerifyStandard checks the Standard Webhooks headers of a delivery against
// secret and the raw body: webhook-timestamp within tolerance of now
// (either way; DefaultTolerance when tolerance <= 0), and at least one "v1,"
// entry of webhook-signature made with secret. Entries of other versions
// are ignored. Comparisons are constant-time. It returns nil or one of
// ErrInvalidSecret, ErrMissingSignature, ErrInvalidTimestamp,
// ErrTimestampOutOfTolerance and ErrSignatureMismatch, checked in that
// order, so a stale delivery is refused before its signature is computed.
func VerifyStandard(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := standardKey(secret)
	if err != nil {
		return err
	}
	id, sigHeader := h.Get(HeaderWebhookID), h.Get(HeaderWebhookSignature)
	if id == "" || sigHeader == "" {
		return ErrMissingSignature
	}
	raw := h.Get(HeaderWebhookTimestamp)
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || raw[0] == '+' || raw[0] == '-' {
		return ErrInvalidTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Compare in seconds: time.Unix of a huge value would overflow a Duration.
	if d := now.Unix() - sec; d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return ErrTimestampOutOfTolerance
	}
	want := []byte(standardSignature(hmac.New(sha256.New, key), signedPrefix(id, time.Unix(sec, 0)), body))
	for _, sig := range strings.Fields(sigHeader) {
		if strings.HasPrefix(sig, "v1,") && hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
