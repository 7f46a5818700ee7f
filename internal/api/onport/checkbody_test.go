package onport

import (
	"testing"
	"unicode/utf8"
)

// checkBodyCases are bodies on both sides of plainJSONText: escapes that
// decode to control characters, raw control characters, C1 in UTF-8, and
// backslashes outside strings.
var checkBodyCases = []string{
	`{"externalId":"A-1","note":"plain \"quoted\" \\ path\/x\n\r\t"}`,
	`{"a":"\u0001"}`, `{"a":"\u0041"}`, `{"a":"\b"}`, `{"a":"\f"}`, `{"a":"\\b"}`, `{"a":"\\\u0007"}`,
	"{\"a\":\"x\x01y\"}", "{\"a\":\"x\x7fy\"}", "{\"a\":\"x\u0085y\"}", "{\"a\":\"x\u00a0y\"}",
	"{\"a\":\"tab\there\"}", "{\n\t\"a\": 1\r\n}", `{"a":1}\u0001`, `\`, `{"a":"\`, `{"a":"x"} \u0001 "\u0002"`,
	`["ok", "\u009f"]`, `not json at all`, ``, `{"a":"\/\"\\"}`,
}

// TestPlainJSONTextAgreesWithTokens: the fast path may only say "clean"
// where the tokenizer finds nothing to refuse.
func TestPlainJSONTextAgreesWithTokens(t *testing.T) {
	for _, c := range checkBodyCases {
		if plainJSONText([]byte(c)) && checkTokens([]byte(c)) != nil {
			t.Errorf("plainJSONText(%q) = true, but the tokenizer refuses it", c)
		}
	}
	for _, c := range []string{`{"a":"\u0001"}`, "{\"a\":\"x\x7fy\"}", "{\"a\":\"x\u0085y\"}", `{"a":"\b"}`} {
		if CheckBody([]byte(c)) == nil {
			t.Errorf("CheckBody(%q) = nil, want a refusal", c)
		}
	}
	if err := CheckBody([]byte(checkBodyCases[0])); err != nil {
		t.Errorf("CheckBody of a clean body: %v", err)
	}
}

func FuzzPlainJSONText(f *testing.F) {
	for _, c := range checkBodyCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return
		}
		if plainJSONText(body) && checkTokens(body) != nil {
			t.Errorf("plainJSONText(%q) = true, but the tokenizer refuses it", body)
		}
	})
}
