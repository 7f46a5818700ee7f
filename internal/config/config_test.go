package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:data/waybill.db" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadOverrides(t *testing.T) {
	c, err := Load(env(map[string]string{
		"WAYBILL_ADDR":                  "127.0.0.1:9000",
		"WAYBILL_DATABASE_URL":          "postgres://u:secret@h/db",
		"WAYBILL_SHUTDOWN_TIMEOUT":      "5s",
		"WAYBILL_DATABASE_WARMUP":       "0",
		"WAYBILL_READ_BATCH_LOOPS":      "16",
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE": "true",
		"WAYBILL_BOOTSTRAP_API_KEY":     "wb_0123456789abcdef",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.ShutdownTimeout != 5*time.Second || c.DatabaseWarmup != 0 || c.ReadBatchLoops != 16 || !c.WebhookAllowPrivate {
		t.Fatalf("overrides not applied: %+v", c)
	}
	dump := strings.Join(c.Dump(), "\n")
	if strings.Contains(dump, "secret") || strings.Contains(dump, "0123456789abcdef") {
		t.Fatalf("dump leaks a secret:\n%s", dump)
	}
}

func TestLoadRejects(t *testing.T) {
	for _, tt := range []map[string]string{
		{"WAYBILL_DATABASE_URL": "mysql://x"},
		{"WAYBILL_PUBLIC_URL": "not a url"},
		{"WAYBILL_MAX_BODY_BYTES": "ten"},
		{"WAYBILL_WORKERS": "0"},
		{"WAYBILL_WEBHOOK_WORKERS": "-1"},
		{"WAYBILL_BOOTSTRAP_API_KEY": "short"},
		{"WAYBILL_LOG_LEVEL": "loud"},
		{"WAYBILL_SHUTDOWN_TIMEOUT": "soon"},
		{"WAYBILL_WEBHOOK_TIMEOUT": "2m"},
		{"WAYBILL_CLAIM_LEASE": "500ms"},
		{"WAYBILL_CLAIM_LEASE": "2m"},
		{"WAYBILL_CLAIM_LEASE": "long"},
		{"WAYBILL_CLAIM_LEASE": "6s", "WAYBILL_WEBHOOK_TIMEOUT": "3s"},
		{"WAYBILL_DATABASE_WARMUP": "-1s"},
		{"WAYBILL_DATABASE_WARMUP": "1h"},
		{"WAYBILL_READ_BATCH_LOOPS": "0"},
		{"WAYBILL_READ_BATCH_LOOPS": "33"},
		{"WAYBILL_READ_BATCH_LOOPS": "many"},
	} {
		if _, err := Load(env(tt)); err == nil {
			t.Errorf("Load(%v) = nil error, want one", tt)
		}
	}
}

func TestLoadClaimLease(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.ClaimLease != MaxClaimLease {
		t.Fatalf("default lease = %v, %v; want %v", c.ClaimLease, err, MaxClaimLease)
	}
	c, err = Load(env(map[string]string{"WAYBILL_CLAIM_LEASE": "6s", "WAYBILL_WEBHOOK_TIMEOUT": "2s"}))
	if err != nil || c.ClaimLease != 6*time.Second {
		t.Fatalf("lease = %v, %v; want 6s", c.ClaimLease, err)
	}
}

func TestLoadNotifications(t *testing.T) {
	c, err := Load(env(map[string]string{
		"WAYBILL_SMTP_URL":        "smtp://mailer:hunter2secret@mail.example.com:2525?starttls=off",
		"WAYBILL_MAIL_FROM":       "Example Store <notify@example.com>",
		"WAYBILL_SMS_ACCOUNT_SID": "AC0123456789",
		"WAYBILL_SMS_AUTH_TOKEN":  "tok_0123456789abcdef",
		"WAYBILL_SMS_FROM":        "+14155550100",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSMTPURL(c.SMTPURL)
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "mail.example.com" || s.Port != 2525 || s.Username != "mailer" || s.Password != "hunter2secret" || !s.NoStartTLS || s.ImplicitTLS {
		t.Fatalf("ParseSMTPURL = %+v", s)
	}
	if s, _ := ParseSMTPURL("smtps://h"); !s.ImplicitTLS || s.Port != 465 {
		t.Fatalf("smtps: %+v", s)
	}
	if s, _ := ParseSMTPURL("smtp://h"); s.ImplicitTLS || s.NoStartTLS || s.Port != 587 {
		t.Fatalf("smtp: %+v", s)
	}
	dump := strings.Join(c.Dump(), "\n")
	if strings.Contains(dump, "hunter2secret") || strings.Contains(dump, "0123456789abcdef") {
		t.Fatalf("dump leaks a secret:\n%s", dump)
	}
	for _, tt := range []map[string]string{
		{"WAYBILL_SMTP_URL": "smtp://h:25"}, // no From
		{"WAYBILL_SMTP_URL": "http://h", "WAYBILL_MAIL_FROM": "a@b.c"},
		{"WAYBILL_SMTP_URL": "smtp://h:99999", "WAYBILL_MAIL_FROM": "a@b.c"},
		{"WAYBILL_SMTP_URL": "smtps://h?starttls=off", "WAYBILL_MAIL_FROM": "a@b.c"},
		{"WAYBILL_SMTP_URL": "smtp://h?tls=maybe", "WAYBILL_MAIL_FROM": "a@b.c"},
		{"WAYBILL_MAIL_FROM": "not an address"},
		{"WAYBILL_SMS_ACCOUNT_SID": "AC1"},
		{"WAYBILL_SMS_ACCOUNT_SID": "AC1", "WAYBILL_SMS_AUTH_TOKEN": "t", "WAYBILL_SMS_FROM": "0155"},
		{"WAYBILL_SMS_URL": "ftp://x"},
	} {
		if _, err := Load(env(tt)); err == nil {
			t.Errorf("Load(%v) = nil error, want one", tt)
		}
	}
}

func TestAuthFailuresPerMinute(t *testing.T) {
	if c := Default(); c.AuthFailuresPerMinute != 20 {
		t.Errorf("default %d, want 20", c.AuthFailuresPerMinute)
	}
	c, err := Load(env(map[string]string{"WAYBILL_AUTH_FAILURES_PER_MINUTE": "0"}))
	if err != nil || c.AuthFailuresPerMinute != 0 {
		t.Errorf("0 (off): %d %v", c.AuthFailuresPerMinute, err)
	}
	for _, v := range []string{"-1", "many"} {
		if _, err := Load(env(map[string]string{"WAYBILL_AUTH_FAILURES_PER_MINUTE": v})); err == nil {
			t.Errorf("WAYBILL_AUTH_FAILURES_PER_MINUTE=%s accepted", v)
		}
	}
}

func TestSecretKeyIsValidatedAndNeverDumped(t *testing.T) {
	key := "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
	c, err := Load(func(name string) string {
		if name == "WAYBILL_SECRET_KEY" {
			return key
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	box, err := c.SecretBox()
	if err != nil || !box.HasKey() {
		t.Fatalf("SecretBox = %v, %v; want a box with a key", box, err)
	}
	for _, line := range c.Dump() {
		if strings.Contains(line, key[:6]) {
			t.Fatalf("Dump shows the secret key: %q", line)
		}
	}
	_, err = Load(func(name string) string {
		if name == "WAYBILL_SECRET_KEY" {
			return "too-short"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "WAYBILL_SECRET_KEY") {
		t.Fatalf("a 9-byte key: err = %v, want one naming WAYBILL_SECRET_KEY", err)
	}
}
