package main

import (
	"debug/elf"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// TestHealthcheck: the container's HEALTHCHECK runs `waybill healthcheck`
// (a scratch image has no curl). It exits 0 against a live server, for
// /healthz and /readyz, and 1 when nothing answers.
func TestHealthcheck(t *testing.T) {
	p := startServe(t, testdb.URL(t, "sqlite"))
	for _, args := range [][]string{{"--url", p.URL}, {"--url", p.URL + "/", "--ready"}} {
		out, err := exec.Command(binary, append([]string{"healthcheck"}, args...)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "200 OK") {
			t.Errorf("healthcheck %v: %v\n%s", args, err, out)
		}
	}
	// The default URL is WAYBILL_ADDR's port on loopback.
	cmd := exec.Command(binary, "healthcheck")
	cmd.Env = append(p.env, "WAYBILL_ADDR=:"+p.URL[strings.LastIndex(p.URL, ":")+1:])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("healthcheck with WAYBILL_ADDR: %v\n%s", err, out)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	err = exec.Command(binary, "healthcheck", "--url", closed, "--timeout", "2s").Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("healthcheck of a closed port: %v, want exit 1", err)
	}
}

// TestBinaryIsStatic: the container image is FROM scratch, so the binary
// must need no dynamic loader or C library.
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binary)
	if err != nil {
		t.Skipf("not an ELF binary on this platform: %v", err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Fatal("the waybill binary has a dynamic loader (PT_INTERP): build it with CGO_ENABLED=0")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the waybill binary links %v", libs)
	}
}
