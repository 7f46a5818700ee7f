package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestFirstStartSaysWhatToDo: before, the first `waybill serve` on an empty
// database said nothing and every request answered 401. It now logs, once,
// the command that creates an organization; that command, pasted, works;
// and once an organization exists the hint is gone.
func TestFirstStartSaysWhatToDo(t *testing.T) {
	dbURL := testdb.URL(t, "sqlite")
	p := startServe(t, dbURL, "WAYBILL_BOOTSTRAP_API_KEY=")
	stop(t, p)
	logs := p.stderr.String()
	if n := strings.Count(logs, "no organization yet"); n != 1 {
		t.Fatalf("hint logged %d times:\n%s", n, logs)
	}
	m := regexp.MustCompile(`command="waybill (org create [^"]+)"`).FindStringSubmatch(logs)
	if m == nil || !strings.Contains(logs, "WAYBILL_BOOTSTRAP_API_KEY") {
		t.Fatalf("no command in the hint:\n%s", logs)
	}
	cmd := exec.Command("sh", "-c", binary+" "+m[1])
	cmd.Env = p.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || !strings.Contains(out.String(), `"api_key":"wb_`) {
		t.Fatalf("the hinted command `%s`: %v\n%s", m[1], err, out.String())
	}

	p = startServe(t, dbURL, "WAYBILL_BOOTSTRAP_API_KEY=")
	stop(t, p)
	if strings.Contains(p.stderr.String(), "no organization yet") {
		t.Errorf("hint logged with an organization present:\n%s", p.stderr)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func stop(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}
}

// TestPublicURLFollowsAddr: before, `--addr 127.0.0.1:18182` still put
// http://localhost:8080 into links.
func TestPublicURLFollowsAddr(t *testing.T) {
	t.Setenv("WAYBILL_PUBLIC_URL", "")
	t.Setenv("WAYBILL_ADDR", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "127.0.0.1:18182"}, "http://127.0.0.1:18182"},
		{[]string{"--addr", ":8080"}, "http://localhost:8080"},
		{nil, "http://localhost:8080"},
		{[]string{"--addr", "127.0.0.1:18182", "--public-url", "https://track.example.com"}, "https://track.example.com"},
	} {
		cfg, err := config.LoadEnv()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := parseServeFlags(&cfg, tc.args, &out, &out); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if cfg.PublicURL != tc.want {
			t.Errorf("serve %v: public URL %q, want %q", tc.args, cfg.PublicURL, tc.want)
		}
	}
	t.Setenv("WAYBILL_PUBLIC_URL", "https://env.example.com")
	cfg, _ := config.LoadEnv()
	if _, err := parseServeFlags(&cfg, []string{"--addr", "127.0.0.1:18182"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil || cfg.PublicURL != "https://env.example.com" {
		t.Errorf("WAYBILL_PUBLIC_URL overridden by --addr: %q %v", cfg.PublicURL, err)
	}
}

// TestPublicURLFromBoundAddr: before, WAYBILL_ADDR=127.0.0.1:0 without
// WAYBILL_PUBLIC_URL put "http://127.0.0.1:0" into links; they must name
// the port the server bound.
func TestPublicURLFromBoundAddr(t *testing.T) {
	t.Parallel()
	p := startServe(t, testdb.URL(t, "sqlite"), "WAYBILL_PUBLIC_URL=")
	req, _ := http.NewRequest("POST", p.URL+"/tracking/2026-07/trackings", strings.NewReader(`{"slug":"dhl","tracking_number":"1234567890"}`))
	req.Header.Set("as-api-key", "wb_test_bootstrap_key_0001")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Data struct {
			Link string `json:"aftership_tracking_url"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 201 {
		t.Fatalf("create: %d %v", res.StatusCode, err)
	}
	link := body.Data.Link
	if !strings.HasPrefix(link, p.URL+"/t/") {
		t.Errorf("aftership_tracking_url %q does not start with %s/t/ (the bound address)", link, p.URL)
	}
}
