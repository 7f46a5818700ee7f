package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's published test vector.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestStandardSignatureVector(t *testing.T) {
	got := StandardSignature(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if got != specSignature {
		t.Fatalf("StandardSignature = %s, want the spec's %s", got, specSignature)
	}
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm90IHRoaXMgb25l "+specSignature)
	if err := VerifyStandard(specSecret, h, []byte(specBody), time.Unix(specTimestamp+10, 0), DefaultTolerance); err != nil {
		t.Errorf("VerifyStandard of the spec vector: %v", err)
	}
	if err := VerifyStandard(specSecret, h, []byte(specBody), time.Unix(specTimestamp+3600, 0), DefaultTolerance); err != ErrStaleDelivery {
		t.Errorf("an hour late: %v, want ErrStaleDelivery", err)
	}
	if err := VerifyStandard(specSecret, h, []byte(specBody+" "), time.Unix(specTimestamp, 0), DefaultTolerance); err != ErrBadSignature {
		t.Errorf("changed body: %v, want ErrBadSignature", err)
	}
}

func TestAfterShipSignature(t *testing.T) {
	// Computed independently: HMAC-SHA256 keyed with the secret string as given.
	secret, body := "my-webhook-secret", []byte(`{"event":"tracking_update","msg":{"tag":"Delivered"}}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := AfterShipSignature(secret, body); got != want {
		t.Fatalf("AfterShipSignature = %s, want %s", got, want)
	}
	if err := VerifyAfterShip(secret, body, want); err != nil {
		t.Error(err)
	}
	if err := VerifyAfterShip("other", body, want); err != ErrBadSignature {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestSignRotation(t *testing.T) {
	oldSecret, _ := NewSecret()
	newSecret, _ := NewSecret()
	if !strings.HasPrefix(newSecret, "whsec_") || oldSecret == newSecret {
		t.Fatalf("NewSecret: %q %q", oldSecret, newSecret)
	}
	body := []byte(`{"a":1}`)
	now := time.Now()
	h := http.Header{}
	Sign(h, "evt-1", now, body, []string{newSecret, oldSecret})
	if n := len(strings.Fields(h.Get("webhook-signature"))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for _, s := range []string{oldSecret, newSecret} {
		if err := VerifyStandard(s, h, body, now, DefaultTolerance); err != nil {
			t.Errorf("a receiver with %s…: %v", s[:10], err)
		}
	}
	if err := VerifyAfterShip(newSecret, body, h.Get("aftership-hmac-sha256")); err != nil {
		t.Errorf("aftership-hmac-sha256 is not the newest secret's: %v", err)
	}
}

func FuzzVerifyStandard(f *testing.F) {
	f.Add(specSecret, specID, "1614265330", specSignature, specBody)
	f.Add("", "", "", "", "")
	f.Add("whsec_!!!", "x", "-1", "v1,,,", "{}")
	f.Fuzz(func(t *testing.T, secret, id, ts, sig, body string) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		_ = VerifyStandard(secret, h, []byte(body), time.Unix(specTimestamp, 0), DefaultTolerance)
		// Whatever we sign verifies.
		now := time.Unix(specTimestamp, 0)
		signed := http.Header{}
		Sign(signed, id+"x", now, []byte(body), []string{secret + "k"})
		if err := VerifyStandard(secret+"k", signed, []byte(body), now, DefaultTolerance); err != nil {
			t.Fatalf("sign then verify: %v", err)
		}
	})
}
