package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's test vector, from the reference Go
// library's tests (github.com/standard-webhooks/standard-webhooks,
// libraries/go/webhook_test.go, TestWebhookSign).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// hmacBase64 computes a vector independently of the code under test.
func hmacBase64(key, msg []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func specHeaders(sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", strconv.Itoa(specTimestamp))
	h.Set("webhook-signature", sig)
	return h
}

func TestStandardSignatureVectors(t *testing.T) {
	t.Parallel()
	// A second vector, computed here with crypto/hmac: 32 key bytes 0..31,
	// as NewSecret makes them.
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	ownSecret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	ownBody := `{"event":"tracking_update","event_id":"8f2b","msg":{"tag":"Delivered"}}`
	ownWant := "v1," + hmacBase64(key, []byte("evt_8f2b.1767225600."+ownBody))

	for _, tt := range []struct {
		name, secret, id string
		ts               int64
		body, want       string
	}{
		{"specification vector", specSecret, specID, specTimestamp, specBody, specSignature},
		{"specification vector, secret without prefix", strings.TrimPrefix(specSecret, "whsec_"), specID, specTimestamp, specBody, specSignature},
		{"hand-computed vector", ownSecret, "evt_8f2b", 1767225600, ownBody, ownWant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StandardSignature(tt.secret, tt.id, time.Unix(tt.ts, 0), []byte(tt.body))
			if err != nil || got != tt.want {
				t.Fatalf("StandardSignature = %q, %v; want %q", got, err, tt.want)
			}
			h := http.Header{}
			if err := Sign(h, tt.id, time.Unix(tt.ts, 999e6), []byte(tt.body), []string{tt.secret}); err != nil {
				t.Fatal(err)
			}
			for name, want := range map[string]string{
				"webhook-id":            tt.id,
				"webhook-timestamp":     strconv.FormatInt(tt.ts, 10),
				"webhook-signature":     tt.want,
				"aftership-hmac-sha256": hmacBase64([]byte(tt.secret), []byte(tt.body)),
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestAfterShipSignatureVector(t *testing.T) {
	t.Parallel()
	// The key is the secret string as given, "whsec_" and all.
	secret, body := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", []byte(`{"event":"tracking_update","msg":{"tag":"Delivered"}}`)
	want := hmacBase64([]byte(secret), body)
	if got := AfterShipSignature(secret, body); got != want {
		t.Fatalf("AfterShipSignature = %s, want %s", got, want)
	}
	for _, tt := range []struct {
		name, secret, sig string
		body              []byte
		want              error
	}{
		{"valid", secret, want, body, nil},
		{"free-text AfterShip secret", "my secret", hmacBase64([]byte("my secret"), body), body, nil},
		{"wrong secret", "other", want, body, ErrSignatureMismatch},
		{"changed body", secret, want, append([]byte(" "), body...), ErrSignatureMismatch},
		{"no signature", secret, "", body, ErrMissingSignature},
		{"hex instead of base64", secret, "deadbeef", body, ErrSignatureMismatch},
	} {
		if err := VerifyAfterShip(tt.secret, tt.body, tt.sig); !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyAfterShip = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestVerifyStandard(t *testing.T) {
	t.Parallel()
	at := time.Unix(specTimestamp, 0)
	for _, tt := range []struct {
		name      string
		secret    string
		h         http.Header
		body      string
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{"spec vector", specSecret, specHeaders(specSignature), specBody, at, 0, nil},
		{"among other entries", specSecret, specHeaders("v1,bm90IHRoaXMgb25l v2,xyz " + specSignature + " v1a,zzz"), specBody, at, 0, nil},
		{"v2 entry with the right value", specSecret, specHeaders("v2," + strings.TrimPrefix(specSignature, "v1,")), specBody, at, 0, ErrSignatureMismatch},
		{"4m59s late", specSecret, specHeaders(specSignature), specBody, at.Add(299 * time.Second), 0, nil},
		{"6 min late", specSecret, specHeaders(specSignature), specBody, at.Add(6 * time.Minute), 0, ErrTimestampOutOfTolerance},
		{"6 min early", specSecret, specHeaders(specSignature), specBody, at.Add(-6 * time.Minute), 0, ErrTimestampOutOfTolerance},
		{"6 min late, 10 min tolerance", specSecret, specHeaders(specSignature), specBody, at.Add(6 * time.Minute), 10 * time.Minute, nil},
		{"changed body", specSecret, specHeaders(specSignature), specBody + " ", at, 0, ErrSignatureMismatch},
		{"other secret", "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)), specHeaders(specSignature), specBody, at, 0, ErrSignatureMismatch},
		{"bad secret", "whsec_not base64", specHeaders(specSignature), specBody, at, 0, ErrInvalidSecret},
		{"short secret", "whsec_c2hvcnQ=", specHeaders(specSignature), specBody, at, 0, ErrInvalidSecret},
		{"no headers", specSecret, http.Header{}, specBody, at, 0, ErrMissingSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyStandard(tt.secret, tt.h, []byte(tt.body), tt.now, tt.tolerance); !errors.Is(err, tt.want) {
				t.Errorf("VerifyStandard = %v, want %v", err, tt.want)
			}
		})
	}
	for _, ts := range []string{"", "soon", "+1614265330", "-1614265330", "1614265330.5", "99999999999999999999"} {
		h := specHeaders(specSignature)
		h.Set("webhook-timestamp", ts)
		if err := VerifyStandard(specSecret, h, []byte(specBody), at, 0); !errors.Is(err, ErrInvalidTimestamp) {
			t.Errorf("timestamp %q: %v, want ErrInvalidTimestamp", ts, err)
		}
	}
	// A far-future timestamp must not overflow into "within tolerance".
	h := specHeaders(specSignature)
	h.Set("webhook-timestamp", "9223372036854775807")
	if err := VerifyStandard(specSecret, h, []byte(specBody), at, 0); !errors.Is(err, ErrTimestampOutOfTolerance) {
		t.Errorf("max int64 timestamp: %v, want ErrTimestampOutOfTolerance", err)
	}
}

func TestSignRotation(t *testing.T) {
	t.Parallel()
	oldSecret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	newSecret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if oldSecret == newSecret {
		t.Fatal("NewSecret returned the same secret twice")
	}
	for _, s := range []string{oldSecret, newSecret} {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil || len(key) != 32 {
			t.Fatalf("NewSecret = %q: want whsec_ and base64 of 32 bytes", s)
		}
	}
	body, now := []byte(`{"a":1}`), time.Unix(1767225600, 0)
	h := http.Header{}
	if err := Sign(h, "evt-1", now, body, []string{newSecret, oldSecret}); err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(h.Get("webhook-signature"))); n != 2 {
		t.Fatalf("webhook-signature has %d entries during a rotation, want 2", n)
	}
	for _, s := range []string{oldSecret, newSecret} {
		if err := VerifyStandard(s, h, body, now, DefaultTolerance); err != nil {
			t.Errorf("a receiver with either secret verifies: %v", err)
		}
	}
	// AfterShip receivers hold one secret: during the overlap the single
	// aftership-hmac-sha256 value is the old (last) secret's, so they keep
	// verifying until the old secret expires (issue 17).
	if err := VerifyAfterShip(oldSecret, body, h.Get("aftership-hmac-sha256")); err != nil {
		t.Errorf("aftership-hmac-sha256 is not the oldest (last) secret's: %v", err)
	}
	if err := VerifyAfterShip(newSecret, body, h.Get("aftership-hmac-sha256")); err == nil {
		t.Error("aftership-hmac-sha256 verifies with the new secret too")
	}
	// Once only the new secret is active, it signs both headers.
	if err := Sign(h, "evt-1", now, body, []string{newSecret}); err != nil {
		t.Fatal(err)
	}
	if err := VerifyAfterShip(newSecret, body, h.Get("aftership-hmac-sha256")); err != nil {
		t.Errorf("after the overlap, aftership-hmac-sha256 is not the new secret's: %v", err)
	}
}

func TestSignRefusesBadSecrets(t *testing.T) {
	t.Parallel()
	good, _ := NewSecret()
	for _, tt := range []struct {
		name    string
		secrets []string
		want    error
	}{
		{"none", nil, ErrNoSecret},
		{"not base64", []string{good, "whsec_!!!"}, ErrInvalidSecret},
		{"empty key", []string{"whsec_"}, ErrInvalidSecret},
		{"too long", []string{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))}, ErrInvalidSecret},
	} {
		h := http.Header{"X-Keep": {"1"}}
		if err := Sign(h, "evt", time.Now(), []byte("{}"), tt.secrets); !errors.Is(err, tt.want) {
			t.Errorf("%s: Sign = %v, want %v", tt.name, err, tt.want)
		}
		if len(h) != 1 {
			t.Errorf("%s: a failed Sign changed the headers: %v", tt.name, h)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(specSecret, specID, strconv.Itoa(specTimestamp), specSignature, specBody, int64(0))
	f.Add("", "", "", "", "", int64(-1))
	f.Add("whsec_!!!", "x", "-1", "v1,,, v1", "{}", int64(1<<62))
	f.Add("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a.b", "00001614265330", "v1,"+specSignature, "", int64(specTimestamp))
	f.Fuzz(func(t *testing.T, secret, id, ts, sig, body string, unix int64) {
		now := time.Unix(specTimestamp, 0)
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		_ = VerifyStandard(secret, h, []byte(body), now, DefaultTolerance)
		_ = VerifyAfterShip(secret, []byte(body), sig)

		// Whatever Sign signs verifies, with the same secret only.
		good := "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(secret+"k", 32)[:32]))
		at := time.Unix(unix&(1<<40-1), 0) // Waybill signs with times after 1970
		signed := http.Header{}
		if err := Sign(signed, id+"x", at, []byte(body), []string{good}); err != nil {
			t.Fatalf("Sign with a valid secret: %v", err)
		}
		if err := VerifyStandard(good, signed, []byte(body), at, DefaultTolerance); err != nil {
			t.Fatalf("sign then verify: %v", err)
		}
		if err := VerifyAfterShip(good, []byte(body), signed.Get("aftership-hmac-sha256")); err != nil {
			t.Fatalf("sign then verify AfterShip: %v", err)
		}
		if err := VerifyStandard(good, signed, []byte(body+"x"), at, DefaultTolerance); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("a changed body verifies: %v", err)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	s1, _ := NewSecret()
	s2, _ := NewSecret()
	for _, bc := range []struct {
		name    string
		size    int
		secrets []string
	}{
		{"1KiB/1secret", 1 << 10, []string{s1}},
		{"1KiB/2secrets", 1 << 10, []string{s1, s2}},
		{"16KiB/1secret", 16 << 10, []string{s1}},
		{"16KiB/2secrets", 16 << 10, []string{s1, s2}},
	} {
		body := []byte(strings.Repeat("x", bc.size))
		ts := time.Unix(1767225600, 0)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				h := make(http.Header, 4)
				if err := Sign(h, "evt_01HZY", ts, body, bc.secrets); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyStandard(b *testing.B) {
	s, _ := NewSecret()
	body := []byte(strings.Repeat("x", 1<<10))
	ts := time.Unix(1767225600, 0)
	h := http.Header{}
	if err := Sign(h, "evt_01HZY", ts, body, []string{s}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifyStandard(s, h, body, ts, DefaultTolerance); err != nil {
			b.Fatal(err)
		}
	}
}
