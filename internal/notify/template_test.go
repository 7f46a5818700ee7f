package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
)

func TestDefaultsRenderInEveryLanguage(t *testing.T) {
	t.Parallel()
	// One word per language that only that language's template says.
	marks := map[string]string{"en": "Tracking number", "de": "Sendungsnummer", "fr": "Numéro de suivi", "es": "Número de seguimiento"}
	for _, lang := range Languages {
		for _, tag := range Statuses {
			c, ok := Default(tag, lang)
			if !ok {
				t.Fatalf("no default for %s/%s", tag, lang)
			}
			d := SampleData
			d.Status = StatusLabel(tag, lang)
			m, err := c.Render(d)
			if err != nil {
				t.Fatalf("%s/%s: %v", tag, lang, err)
			}
			for part, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML, "sms": m.SMS} {
				if !strings.Contains(s, d.StoreName) {
					t.Errorf("%s/%s %s lacks the store name: %q", tag, lang, part, s)
				}
				if strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
					t.Errorf("%s/%s %s has an unfilled placeholder: %q", tag, lang, part, s)
				}
			}
			for part, s := range map[string]string{"text": m.Text, "html": m.HTML} {
				for _, want := range []string{d.TrackingNumber, d.Courier, d.PageURL, d.UnsubscribeURL, d.ExpectedDelivery, marks[lang]} {
					if !strings.Contains(s, want) {
						t.Errorf("%s/%s %s lacks %q:\n%s", tag, lang, part, want, s)
					}
				}
			}
			for _, want := range []string{d.PageURL, d.UnsubscribeURL} {
				if !strings.Contains(m.SMS, want) {
					t.Errorf("%s/%s sms lacks %q: %q", tag, lang, want, m.SMS)
				}
			}
			if strings.Contains(m.Subject, "\n") {
				t.Errorf("%s/%s subject has a line break", tag, lang)
			}
		}
	}
	if _, ok := Default(waybill.TagPending, "en"); ok {
		t.Error("Pending has a default template; it does not notify")
	}
}

func TestDefaultLeavesOutUnknownExpectedDelivery(t *testing.T) {
	t.Parallel()
	c, _ := Default(waybill.TagInTransit, "en")
	d := SampleData
	d.ExpectedDelivery = ""
	m, err := c.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "Expected delivery") || strings.Contains(m.HTML, "Expected delivery") {
		t.Errorf("empty expected delivery is announced:\n%s", m.Text)
	}
}

func TestHTMLEscapesValues(t *testing.T) {
	t.Parallel()
	c, _ := Default(waybill.TagDelivered, "en")
	d := SampleData
	d.StoreName = `<script>alert("x")</script>`
	m, err := c.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("store name not escaped in HTML:\n%s", m.HTML)
	}
}

func TestMatchLanguage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"", "en"}, {"de", "de"}, {"de-AT", "de"}, {"fr-CA", "fr"}, {"es-MX", "es"}, {"ja", "en"}, {"??", "en"}, {"en-GB", "en"},
	} {
		if got := MatchLanguage(tt.in); got != tt.want {
			t.Errorf("MatchLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := StatusLabel(waybill.TagOutForDelivery, "de-CH"); got != "In Zustellung" {
		t.Errorf("StatusLabel = %q", got)
	}
}

func TestCompileRefusesWithLineAndReason(t *testing.T) {
	t.Parallel()
	ok := Template{Subject: "{{.StoreName}}", Text: "t", SMS: "s"}
	for _, tt := range []struct {
		name   string
		change func(*Template)
		part   string
		line   int
		reason string
	}{
		{"unclosed action", func(t *Template) { t.Text = "Hello\n\n{{.StoreName\n" }, "text", 3, "unclosed action"},
		{"unknown placeholder", func(t *Template) { t.SMS = "line one\n{{.Shop}}" }, "sms", 2, "unknown placeholder {{.Shop}}"},
		{"unknown function", func(t *Template) { t.Subject = "{{shout .StoreName}}" }, "subject", 1, `function "shout" not defined`},
		{"unclosed if", func(t *Template) { t.HTML = "<p>\n{{if .PageURL}}\n<a>" }, "html", 3, "unexpected EOF"},
		{"empty subject", func(t *Template) { t.Subject = " " }, "subject", 0, "must not be empty"},
		{"too long", func(t *Template) { t.Text = strings.Repeat("x", maxPart+1) }, "text", 0, "longer than"},
	} {
		src := ok
		tt.change(&src)
		_, err := Compile(src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Compile error = %v, want a *ParseError", tt.name, err)
			continue
		}
		if pe.Part != tt.part || pe.Line != tt.line || !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("%s: got %+v, want part %s line %d reason containing %q", tt.name, *pe, tt.part, tt.line, tt.reason)
		}
	}
	if _, err := Compile(ok); err != nil {
		t.Fatalf("a valid template is refused: %v", err)
	}
}

// TestReturnDefaultsRenderInEveryLanguage: every change of a return has a
// default in every language, with the RMA, the items, the return's page,
// the unsubscribe link and the change's own words; the label and address
// only once approved, the reason only when rejected.
func TestReturnDefaultsRenderInEveryLanguage(t *testing.T) {
	t.Parallel()
	marks := map[string]string{"en": "Return number", "de": "Rücksendenummer", "fr": "Numéro de retour", "es": "Número de devolución"}
	for _, lang := range Languages {
		seen := map[string]string{}
		for _, key := range ReturnKeys {
			c, ok := Default(key, lang)
			if !ok {
				t.Fatalf("no default for %s/%s", key, lang)
			}
			d := SampleData
			d.Status = StatusLabel(key, lang)
			m, err := c.Render(d)
			if err != nil {
				t.Fatalf("%s/%s: %v", key, lang, err)
			}
			if !strings.Contains(m.Subject, d.RMA) || !strings.Contains(m.Subject, d.Status) || d.Status == string(key) {
				t.Errorf("%s/%s subject %q lacks the RMA or the status %q", key, lang, m.Subject, d.Status)
			}
			if prev, dup := seen[m.Text]; dup {
				t.Errorf("%s/%s says the same as %s", key, lang, prev)
			}
			seen[m.Text] = string(key)
			st := returnStatus(key)
			for part, s := range map[string]string{"text": m.Text, "html": m.HTML} {
				if strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
					t.Errorf("%s/%s %s has an unfilled placeholder", key, lang, part)
				}
				for _, want := range []string{d.RMA, "Cotton socks", d.PageURL, d.UnsubscribeURL, marks[lang], returnCatalogues[lang].next[st]} {
					if !strings.Contains(s, want) {
						t.Errorf("%s/%s %s lacks %q:\n%s", key, lang, part, want, s)
					}
				}
				if got := strings.Contains(s, d.LabelURL); got != (st == waybill.ReturnApproved) {
					t.Errorf("%s/%s %s shows the label: %v", key, lang, part, got)
				}
				if got := strings.Contains(s, "1 Dock Road"); got != (st == waybill.ReturnApproved) {
					t.Errorf("%s/%s %s shows the return address: %v", key, lang, part, got)
				}
				if got := strings.Contains(s, d.RejectReason); got != (st == waybill.ReturnRejected) {
					t.Errorf("%s/%s %s shows the reject reason: %v", key, lang, part, got)
				}
			}
		}
	}
}
