package config

import (
	"strings"
	"testing"
)

func TestRedisURL(t *testing.T) {
	if c := Default(); c.RedisURL != "" {
		t.Errorf("default %q, want unset (limits per instance)", c.RedisURL)
	}
	c, err := Load(env(map[string]string{"WAYBILL_REDIS_URL": "redis://:s3cret@127.0.0.1:6379/2"}))
	if err != nil || c.RedisURL != "redis://:s3cret@127.0.0.1:6379/2" {
		t.Fatalf("Load: %q %v", c.RedisURL, err)
	}
	dump := strings.Join(c.Dump(), "\n")
	if strings.Contains(dump, "s3cret") || !strings.Contains(dump, "WAYBILL_REDIS_URL=redis://") {
		t.Errorf("dump shows the password or lacks the URL:\n%s", dump)
	}
	for _, bad := range []string{"127.0.0.1:6379", "http://127.0.0.1:6379", "redis://127.0.0.1:6379/db"} {
		if _, err := Load(env(map[string]string{"WAYBILL_REDIS_URL": bad})); err == nil {
			t.Errorf("WAYBILL_REDIS_URL=%s accepted", bad)
		}
	}
}
