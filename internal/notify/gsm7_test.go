package notify

import (
	"strings"
	"testing"
)

func TestFitSMS(t *testing.T) {
	t.Parallel()
	page := "https://track.example.com/t/3kTMd9xQ4bYp"
	unsub := "https://track.example.com/u/Zq81Lw0pR7"
	long := "Example Store: votre commande est en cours de livraison et devrait arriver aujourd'hui, merci de votre patience. " + page + " Stop : " + unsub
	for _, tt := range []struct {
		name, in   string
		oneSegment bool
		keep       []string
	}{
		{"short stays", "Shop: on its way " + page, true, []string{"Shop: on its way", page}},
		{"accents folded", "Tienda: tu pedido está en tránsito " + page, true, []string{"esta en transito", page}},
		{"long text shortened, links whole", long, true, []string{page, unsub, "Example Store: votre commande"}},
		{"no GSM-7 equivalent kept as is", "商店: 您的包裹已发货 " + page, false, []string{"您的包裹已发货"}},
	} {
		got := FitSMS(tt.in)
		n, gsm := septets(got)
		if tt.oneSegment && (!gsm || n > smsSegment) {
			t.Errorf("%s: FitSMS = %q (%d septets, gsm %v), want one segment", tt.name, got, n, gsm)
		}
		for _, k := range tt.keep {
			if !strings.Contains(got, k) {
				t.Errorf("%s: FitSMS = %q, lost %q", tt.name, got, k)
			}
		}
	}
	if n, _ := septets("a€["); n != 5 {
		t.Errorf("septets of extension characters = %d, want 5", n)
	}
}

func TestValidE164(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"+14155550100": true, "+4930123456": true, "+0123": false, "4155550100": false,
		"+1234567890123456": false, "+1 415 555": false, "": false, "+1": false} {
		if ValidE164(s) != want {
			t.Errorf("ValidE164(%q) = %v, want %v", s, !want, want)
		}
	}
}
