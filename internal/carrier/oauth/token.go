package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ParseToken reads an OAuth 2 token answer ({"access_token": …,
// "expires_in": …}) as UPS, FedEx and USPS give it: expires_in is a
// number of seconds, written as a JSON number or a string. A missing or
// unreadable expires_in leaves Expiry zero (DefaultLifetime applies).
func ParseToken(body []byte, now time.Time) (Token, error) {
	var t struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return Token{}, fmt.Errorf("oauth: reading the token answer: %w", err)
	}
	if t.AccessToken == "" {
		return Token{}, errors.New("oauth: the token answer has no access_token")
	}
	tok := Token{AccessToken: t.AccessToken}
	if secs, ok := Seconds(t.ExpiresIn); ok && secs > 0 {
		tok.Expiry = now.Add(time.Duration(min(secs, 366*24*3600)) * time.Second)
	}
	return tok, nil
}

// Seconds reads a JSON number or a string holding one, as carriers write
// expires_in; ok is false for anything else.
func Seconds(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) >= 2 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		raw = []byte(s)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != f || f > 1e15 || f < -1e15 {
		return 0, false
	}
	return int64(f), true
}
