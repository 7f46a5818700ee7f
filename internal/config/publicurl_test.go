package config

import "testing"

func TestPublicURLFollowsTheListenAddress(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "http://localhost:8080"},
		{map[string]string{"WAYBILL_ADDR": "127.0.0.1:18182"}, "http://127.0.0.1:18182"},
		{map[string]string{"WAYBILL_ADDR": ":9000"}, "http://localhost:9000"},
		{map[string]string{"WAYBILL_ADDR": "0.0.0.0:9000"}, "http://localhost:9000"},
		{map[string]string{"WAYBILL_ADDR": "[::1]:9000"}, "http://[::1]:9000"},
		{map[string]string{"WAYBILL_ADDR": "waybill.internal:80"}, "http://waybill.internal:80"},
		// An explicit WAYBILL_PUBLIC_URL always wins.
		{map[string]string{"WAYBILL_ADDR": "127.0.0.1:18182", "WAYBILL_PUBLIC_URL": "https://track.example.com"}, "https://track.example.com"},
	} {
		c, err := Load(env(tc.env))
		if err != nil {
			t.Fatalf("Load(%v): %v", tc.env, err)
		}
		if c.PublicURL != tc.want {
			t.Errorf("Load(%v).PublicURL = %q, want %q", tc.env, c.PublicURL, tc.want)
		}
	}
}
