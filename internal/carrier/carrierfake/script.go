// Package carrierfake is the bookkeeping shared by the fake carrier APIs
// (ups/upsfake, fedex/fedexfake, usps/uspsfake, dhl/dhlfake): OAuth
// clients and the tokens issued to them, scripted journeys that advance
// one step per poll of a number, injected failures, and counters that
// tests assert on. It speaks no carrier's format; each fake renders the
// steps in its own.
package carrierfake

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Failure is an answer a fake gives instead of the normal one.
type Failure struct {
	Status     int    // HTTP status: 429, 500, 503 …
	RetryAfter string // Retry-After header value, "" for none
	// Quota, for fakes that know the difference (DHL, FedEx), makes a 429
	// the daily-quota one rather than the per-second one.
	Quota bool
}

// Script is the state of one fake carrier. Its zero value is not usable;
// use NewScript. It is safe for concurrent use.
type Script struct {
	mu            sync.Mutex
	clientID      string
	clientSecret  string
	tokenLifetime time.Duration
	tokens        map[string]time.Time // issued token → expiry
	tokenRequests int
	trackRequests int
	steps         int
	revealed      map[string][]time.Time // number → when each step was first seen
	polls         map[string]int
	batches       []int
	unknown       map[string]bool
	failures      []Failure
}

// NewScript returns the state of a fake whose journeys have steps steps
// and whose only client is clientID/clientSecret (or API key clientID
// for DHL), with tokens valid for an hour.
func NewScript(clientID, clientSecret string, steps int) *Script {
	return &Script{
		clientID: clientID, clientSecret: clientSecret, tokenLifetime: time.Hour, steps: steps,
		tokens: map[string]time.Time{}, revealed: map[string][]time.Time{}, polls: map[string]int{}, unknown: map[string]bool{},
	}
}

// SetTokenLifetime sets how long the tokens issued from now on are valid.
func (s *Script) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// Client reports whether id and secret are the fake's client.
func (s *Script) Client(id, secret string) bool {
	return id == s.clientID && secret == s.clientSecret
}

// APIKey reports whether key is the fake's API key (DHL).
func (s *Script) APIKey(key string) bool { return key != "" && key == s.clientID }

// IssueToken counts a token request and, when id and secret are right,
// returns a new token and its lifetime.
func (s *Script) IssueToken(id, secret string, now time.Time) (token string, lifetime time.Duration, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests++
	if !s.Client(id, secret) {
		return "", 0, false
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token = "fake-" + hex.EncodeToString(b[:])
	s.tokens[token] = now.Add(s.tokenLifetime)
	return token, s.tokenLifetime, true
}

// ValidBearer reports whether an Authorization header carries a token
// this fake issued that has not expired or been revoked.
func (s *Script) ValidBearer(authorization string, now time.Time) bool {
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && now.Before(exp)
}

// RevokeTokens makes every token issued so far invalid, as a carrier
// does when it rotates keys: the next tracking call answers 401.
func (s *Script) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// FailNext makes the next n tracking calls answer f instead.
func (s *Script) FailNext(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, f)
	}
}

// TakeTrackCall counts a tracking call and returns the failure it must
// answer, if one is queued.
func (s *Script) TakeTrackCall() (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trackRequests++
	if len(s.failures) == 0 {
		return Failure{}, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return f, true
}

// SetUnknown makes the carrier not know number (answer "not found") until
// SetKnown. Every other number is known, and starts its journey at its
// first poll.
func (s *Script) SetUnknown(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unknown[number] = true
}

// SetKnown undoes SetUnknown.
func (s *Script) SetKnown(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.unknown, number)
}

// Poll advances number's journey by one step (until its last) and returns
// when each step so far was first seen: its checkpoint times. ok is false
// for an unknown number, whose journey does not start.
func (s *Script) Poll(number string, now time.Time) (seen []time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls[number]++
	if s.unknown[number] {
		return nil, false
	}
	r := s.revealed[number]
	if len(r) < s.steps {
		r = append(r, now)
		s.revealed[number] = r
	}
	return append([]time.Time(nil), r...), true
}

// Steps is the number of steps of a journey.
func (s *Script) Steps() int { return s.steps }

// TokenRequests is how many token requests the fake has answered.
func (s *Script) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// TrackRequests is how many tracking calls the fake has answered,
// failures and not-founds included (a batch call counts once).
func (s *Script) TrackRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.trackRequests
}

// Polls is how many times number was asked about, known or not.
func (s *Script) Polls(number string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls[number]
}

// RecordBatch notes the size of a batch call.
func (s *Script) RecordBatch(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, n)
}

// Batches are the sizes of the batch calls answered so far, in order.
func (s *Script) Batches() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...)
}
