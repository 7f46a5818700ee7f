package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// secretPrefix marks a Standard Webhooks secret.
const secretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: "whsec_" and the base64 of 32
// random bytes, the form the Standard Webhooks specification uses.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// standardKey returns the HMAC key of a secret under the Standard Webhooks
// scheme: the decoded bytes after "whsec_", or the secret itself when it is
// not of that form.
func standardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, secretPrefix); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return key
		}
	}
	return []byte(secret)
}

// AfterShipSignature returns AfterShip's aftership-hmac-sha256 value:
// base64(HMAC-SHA256(key = the secret string as given, message = body)).
func AfterShipSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// StandardSignature returns one Standard Webhooks signature, "v1,<base64>",
// of "{id}.{timestamp}.{body}".
func StandardSignature(secret, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, standardKey(secret))
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Sign sets both signature schemes on h for a delivery of body:
// aftership-hmac-sha256 with the newest secret (AfterShip receivers compare a
// single value), and the Standard Webhooks headers webhook-id,
// webhook-timestamp and webhook-signature with one signature per active
// secret, space-separated, so that a receiver holding either the old or the
// new secret verifies during a rotation. secrets are newest first.
func Sign(h http.Header, eventID string, ts time.Time, body []byte, secrets []string) {
	h.Set("Content-Type", "application/json")
	h.Set("webhook-id", eventID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	if len(secrets) == 0 {
		return
	}
	h.Set("aftership-hmac-sha256", AfterShipSignature(secrets[0], body))
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sigs[i] = StandardSignature(s, eventID, ts, body)
	}
	h.Set("webhook-signature", strings.Join(sigs, " "))
}

// Errors of verification.
var (
	ErrNoSignature   = errors.New("webhook: no signature")
	ErrBadSignature  = errors.New("webhook: signature does not match")
	ErrBadTimestamp  = errors.New("webhook: timestamp missing or invalid")
	ErrStaleDelivery = errors.New("webhook: timestamp outside the tolerance")
)

// DefaultTolerance is how far a Standard Webhooks timestamp may be from now.
const DefaultTolerance = 5 * time.Minute

// VerifyAfterShip checks an aftership-hmac-sha256 value in constant time.
func VerifyAfterShip(secret string, body []byte, signature string) error {
	if signature == "" {
		return ErrNoSignature
	}
	if !hmac.Equal([]byte(AfterShipSignature(secret, body)), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}

// VerifyStandard checks the Standard Webhooks headers of a delivery: the
// timestamp within tolerance of now, and at least one v1 signature made with
// secret. Comparisons are constant-time.
func VerifyStandard(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, sigHeader := h.Get("webhook-id"), h.Get("webhook-signature")
	if id == "" || sigHeader == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return ErrStaleDelivery
	}
	want := []byte(StandardSignature(secret, id, ts, body))
	for _, sig := range strings.Fields(sigHeader) {
		if hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return ErrBadSignature
}
