// Package compat drives AfterShip's official npm SDKs against a live
// Waybill: the proof that a client moves by changing only its base URL.
package compat

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/dhl/dhlfake"
	"github.com/waybillhq/waybill/internal/openapi/openapitest"
	"github.com/waybillhq/waybill/internal/secretbox"
)

func TestAfterShipSDKs(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: skipping the AfterShip npm SDK compatibility tests")
	}
	if missing := missingSDKs(); missing != "" {
		// go test never reaches the network: installing the SDKs is a
		// separate step, which .ci/run takes before the tests.
		msg := "the AfterShip npm SDKs are not installed (" + missing + "): run `npm ci` in compat/ to run these tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI must install them first (.ci/run does)")
		}
		t.Skip(msg)
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "waybill")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/waybill").CombinedOutput(); err != nil {
		t.Fatalf("build waybill: %v\n%s", err, out)
	}
	addrFile := filepath.Join(dir, "addr")
	const key = "wb_compat_sdk_key_0001"
	var logs bytes.Buffer
	// Courier connections are checked with the carrier and sealed at rest:
	// the SDK's DHL connection goes to a fake DHL on loopback, under a key.
	dhl := httptest.NewServer(dhlfake.New(time.Now))
	defer dhl.Close()
	srv := exec.Command(bin, "serve")
	srv.Env = append(os.Environ(), "WAYBILL_ADDR=127.0.0.1:0", "WAYBILL_ADDR_FILE="+addrFile,
		"WAYBILL_CARRIER_DHL_URL="+dhl.URL, "WAYBILL_SECRET_KEY="+secretbox.GenerateKey(),
		"WAYBILL_DATABASE_URL=sqlite:"+filepath.Join(dir, "waybill.db"), "WAYBILL_BOOTSTRAP_API_KEY="+key,
		// The SDK tests send bursts well past AfterShip's 10 requests/s.
		"WAYBILL_RATE_LIMIT_V4=1000", "WAYBILL_RATE_LIMIT_SCALE=100")
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()

	var url string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if addr, err := os.ReadFile(addrFile); err == nil && len(addr) > 0 {
			if res, err := http.Get("http://" + string(addr) + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					url = "http://" + string(addr)
					break
				}
			}
		}
	}
	if url == "" {
		t.Fatalf("waybill did not become ready:\n%s", logs.String())
	}

	// The SDKs talk to Waybill through a proxy that validates every
	// exchange against the v4 and 2026-07 OpenAPI documents: what real
	// clients send must be what the documents accept.
	target, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	docs := openapitest.New(t, "v4", "2026-07")
	proxy := httptest.NewServer(docs.Handler(t, httputil.NewSingleHostReverseProxy(target)))
	defer proxy.Close()

	tests, _ := filepath.Glob("*.test.js")
	cmd := exec.Command(node, append([]string{"--test", "--test-reporter=spec"}, tests...)...)
	cmd.Env = append(os.Environ(), "WAYBILL_URL="+proxy.URL, "WAYBILL_KEY="+key, "WAYBILL_DHL_KEY="+dhlfake.APIKey)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("SDK tests failed: %v\nwaybill log:\n%s", err, logs.String())
	}
}

// missingSDKs names the first SDK package.json lists that node_modules
// lacks, or "" when all are there.
func missingSDKs() string {
	data, err := os.ReadFile("package.json")
	if err != nil {
		return "package.json: " + err.Error()
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "package.json: " + err.Error()
	}
	for _, name := range slices.Sorted(maps.Keys(pkg.Dependencies)) {
		if _, err := os.Stat(filepath.Join("node_modules", name, "package.json")); err != nil {
			return "node_modules/" + name
		}
	}
	return ""
}
