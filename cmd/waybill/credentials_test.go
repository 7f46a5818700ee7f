package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestServeRefusesStoredCredentialsWithoutKey: once a courier connection
// is stored, `waybill serve` without WAYBILL_SECRET_KEY (or with another
// key) exits at once with a message naming the setting, and starts again
// with the right key.
func TestServeRefusesStoredCredentialsWithoutKey(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			key := secretbox.GenerateKey()
			p := startServe(t, dbURL, "WAYBILL_SECRET_KEY="+key)
			status, body := p.callDated(t, "POST", "/tracking/2026-07/courier-connections",
				map[string]any{"courier_slug": "royal-mail", "credentials": map[string]any{"api_key": "rm-secret-value-77"}})
			if status != 201 {
				t.Fatalf("create connection: %d %v", status, body)
			}
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()

			for _, env := range []string{"WAYBILL_SECRET_KEY=", "WAYBILL_SECRET_KEY=" + secretbox.GenerateKey()} {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				cmd := exec.CommandContext(ctx, binary, "serve")
				cmd.Env = append(os.Environ(), "WAYBILL_ADDR=127.0.0.1:0", "WAYBILL_DATABASE_URL="+dbURL, env)
				out, err := cmd.CombinedOutput()
				cancel()
				if err == nil || !strings.Contains(string(out), "WAYBILL_SECRET_KEY") {
					t.Errorf("serve with %s: err %v, output:\n%s", strings.SplitN(env, "=", 2)[0]+"=…", err, out)
				}
				if strings.Contains(string(out), "rm-secret-value-77") {
					t.Errorf("the refusal shows the secret:\n%s", out)
				}
			}
			startServe(t, dbURL, "WAYBILL_SECRET_KEY="+key)
		})
	}
}
