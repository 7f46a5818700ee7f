package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/testdb"
)

// binary is the waybill command built once for the process tests.
var binary string

// crashLease is the settings of the tests that SIGKILL a server and wait
// for another to take up its work: a claim lease of 10 s instead of 90 s
// (WAYBILL_CLAIM_LEASE), so that they wait 10 s for a dead process's
// claims and running jobs rather than 90 s, with the webhook timeout the
// lease requires (at most a third of it). The timeouts under the lease
// shrink with it, so what the tests prove holds as at the default.
var crashLease = []string{"WAYBILL_CLAIM_LEASE=10s", "WAYBILL_WEBHOOK_TIMEOUT=3s"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "waybill-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "waybill")
	// Built as the container image builds it: static, without cgo.
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build waybill: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running `waybill serve`.
type process struct {
	cmd    *exec.Cmd
	URL    string
	env    []string
	stderr *bytes.Buffer
	// databaseURL and extraEnv are what it was started with, for restart.
	databaseURL string
	extraEnv    []string
}

// startServe runs `waybill serve` on a random port with the given database
// and waits until /readyz answers 200.
func startServe(t *testing.T, databaseURL string, extraEnv ...string) *process {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	// No warm-up of PostgreSQL connections unless a test asks (extraEnv):
	// it would open 48 per process, and the tests run many processes at
	// once on a server of 100 connections.
	env := append(os.Environ(), "WAYBILL_ADDR=127.0.0.1:0", "WAYBILL_ADDR_FILE="+addrFile,
		"WAYBILL_DATABASE_URL="+databaseURL, "WAYBILL_BOOTSTRAP_API_KEY=wb_test_bootstrap_key_0001", "WAYBILL_DATABASE_WARMUP=0")
	env = append(env, extraEnv...)
	p := &process{cmd: exec.Command(binary, "serve"), env: env, stderr: &bytes.Buffer{}, databaseURL: databaseURL, extraEnv: extraEnv}
	p.cmd.Env, p.cmd.Stderr = env, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if addr, err := os.ReadFile(addrFile); err == nil && len(addr) > 0 {
			p.URL = "http://" + string(addr)
			if res, err := http.Get(p.URL + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return p
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waybill serve did not become ready:\n%s", p.stderr)
	return nil
}

// kill ends the process with SIGKILL, as a crash or a pulled plug would,
// and waits until it is gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// restart starts a new `waybill serve` on the process's database with its
// settings, and waits until it is ready; the crash tests kill, then restart.
func (p *process) restart(t *testing.T) *process {
	t.Helper()
	return startServe(t, p.databaseURL, p.extraEnv...)
}

func (p *process) call(t *testing.T, method, path, key string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, p.URL+path, rd)
	req.Header.Set("aftership-api-key", key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestServeProcess(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			p := startServe(t, dbURL)

			for _, path := range []string{"/healthz", "/readyz", "/openapi/v4.json"} {
				res, err := http.Get(p.URL + path)
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("GET %s: %v %v", path, res, err)
				}
				res.Body.Close()
			}

			// The bootstrap key works; create and fetch a tracking.
			status, body := p.call(t, "POST", "/v4/trackings", "wb_test_bootstrap_key_0001",
				map[string]any{"tracking": map[string]any{"slug": "dhl", "tracking_number": "1234567890"}})
			if status != 201 {
				t.Fatalf("create: %d %v\n%s", status, body, p.stderr)
			}
			id := body["data"].(map[string]any)["tracking"].(map[string]any)["id"].(string)
			if status, _ := p.call(t, "GET", "/v4/trackings/"+id, "wb_test_bootstrap_key_0001", nil); status != 200 {
				t.Fatalf("get: %d", status)
			}

			// The CLI works on the same database while the server runs.
			cmd := exec.Command(binary, "org", "create", "second")
			cmd.Env = p.env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("org create: %v", err)
			}
			var created struct {
				Org    struct{ Name string } `json:"org"`
				APIKey string                `json:"api_key"`
			}
			if err := json.Unmarshal(out, &created); err != nil || created.Org.Name != "second" || created.APIKey == "" {
				t.Fatalf("org create printed %s (%v)", out, err)
			}
			cmd = exec.Command(binary, "key", "create", "--org", "second")
			cmd.Env = p.env
			out, err = cmd.Output()
			if err != nil || !strings.Contains(string(out), `"api_key"`) {
				t.Fatalf("key create: %s %v", out, err)
			}
			// The new organization's key sees none of the default organization's trackings.
			if status, _ := p.call(t, "GET", "/v4/trackings/"+id, created.APIKey, nil); status != 404 {
				t.Fatalf("second org reads default org's tracking: %d", status)
			}

			res, err := http.Get(p.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(res.Body)
			res.Body.Close()
			for _, want := range []string{`waybill_http_requests_total{code="201",route="POST /v4/trackings"} 1`, "waybill_queue_depth", "waybill_inbound_pending 0", "waybill_http_request_duration_seconds_bucket"} {
				if !strings.Contains(string(metrics), want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}

			// SIGTERM: a clean exit, status 0.
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("waybill did not exit after SIGTERM")
			}

			// A restart with the same bootstrap key is idempotent and the data is there.
			p2 := startServe(t, dbURL)
			if status, _ := p2.call(t, "GET", "/v4/trackings/"+id, "wb_test_bootstrap_key_0001", nil); status != 200 {
				t.Fatalf("after restart: %d", status)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, nil, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Errorf("no command: %v, %q", err, errOut.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, nil, &out, &errOut); err == nil {
		t.Error("unknown command accepted")
	}
	if err := run(context.Background(), []string{"org", "delete"}, nil, &out, &errOut); err == nil {
		t.Error("org delete accepted")
	}
}
