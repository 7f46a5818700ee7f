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
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE": "true",
		"WAYBILL_BOOTSTRAP_API_KEY":     "wb_0123456789abcdef",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.ShutdownTimeout != 5*time.Second || !c.WebhookAllowPrivate {
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
		{"WAYBILL_BOOTSTRAP_API_KEY": "short"},
		{"WAYBILL_LOG_LEVEL": "loud"},
		{"WAYBILL_SHUTDOWN_TIMEOUT": "soon"},
	} {
		if _, err := Load(env(tt)); err == nil {
			t.Errorf("Load(%v) = nil error, want one", tt)
		}
	}
}
