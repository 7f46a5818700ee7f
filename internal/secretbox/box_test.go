package secretbox_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/secretbox"
)

func mustParse(t *testing.T, spec string) *secretbox.Box {
	t.Helper()
	b, err := secretbox.Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := mustParse(t, secretbox.GenerateKey())
	ad := []byte("org 1 / connection abc")
	sealed, err := b.Seal([]byte("client-secret-123"), ad)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "client-secret-123") || !secretbox.IsSealed(sealed) {
		t.Fatalf("sealed value %q shows the plaintext or lacks the prefix", sealed)
	}
	again, _ := b.Seal([]byte("client-secret-123"), ad)
	if again == sealed {
		t.Fatal("two seals of the same plaintext are identical; the nonce is not random")
	}
	got, err := b.Open(sealed, ad)
	if err != nil || string(got) != "client-secret-123" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefusesOtherAssociatedDataAndTampering(t *testing.T) {
	b := mustParse(t, secretbox.GenerateKey())
	sealed, _ := b.Seal([]byte("s3cret"), []byte("org 1"))
	if _, err := b.Open(sealed, []byte("org 2")); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("Open with other associated data: err = %v, want ErrOpen", err)
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	if _, err := b.Open(tampered, []byte("org 1")); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("Open of an altered value: err = %v, want ErrOpen", err)
	}
	for _, junk := range []string{"", "plain", "wbx1.", "wbx1.zz.!!", "wbx1.00000000.AAAA"} {
		if _, err := b.Open(junk, nil); !errors.Is(err, secretbox.ErrOpen) {
			t.Errorf("Open(%q): err = %v, want ErrOpen", junk, err)
		}
	}
}

func TestRotationOpensWithOldKeyAndSealsWithNew(t *testing.T) {
	oldKey, newKey := secretbox.GenerateKey(), secretbox.GenerateKey()
	old := mustParse(t, oldKey)
	sealed, _ := old.Seal([]byte("token"), nil)

	rotated := mustParse(t, newKey+", "+oldKey)
	got, err := rotated.Open(sealed, nil)
	if err != nil || string(got) != "token" {
		t.Fatalf("rotated Open = %q, %v", got, err)
	}
	if !rotated.NeedsReseal(sealed) {
		t.Fatal("a value sealed with the old key does not need a reseal")
	}
	resealed, _ := rotated.Seal(got, nil)
	if rotated.NeedsReseal(resealed) {
		t.Fatal("a value sealed with the first key needs a reseal")
	}
	if _, err := mustParse(t, newKey).Open(sealed, nil); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("a box without the old key opened its value: %v", err)
	}
}

func TestParseKeyFormats(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, secretbox.KeySize)
	for _, spec := range []string{hex.EncodeToString(raw), "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"} {
		a := mustParse(t, spec)
		b, _ := secretbox.New(raw)
		sealed, _ := a.Seal([]byte("x"), nil)
		if _, err := b.Open(sealed, nil); err != nil {
			t.Errorf("key %q does not decode to the raw key: %v", spec, err)
		}
	}
	for _, bad := range []string{"short", "c2hvcnQ=", strings.Repeat("z", 64)} {
		if _, err := secretbox.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a key that is not 32 bytes", bad)
		}
	}
}

func TestNoKey(t *testing.T) {
	b := mustParse(t, "  ")
	if b.HasKey() {
		t.Fatal("an empty spec has a key")
	}
	if _, err := b.Seal([]byte("x"), nil); !errors.Is(err, secretbox.ErrNoKey) {
		t.Fatalf("Seal without a key: %v", err)
	}
	if _, err := b.Open("wbx1.x.y", nil); !errors.Is(err, secretbox.ErrNoKey) {
		t.Fatalf("Open without a key: %v", err)
	}
}
