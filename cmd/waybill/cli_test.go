package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
	"github.com/waybillhq/waybill/internal/testdb"
)

// cli runs a command line in-process and returns its outputs and the exit
// status main would give it.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), exitCode(err)
}

// commandLines are every command and subcommand, with arguments that would
// act if the help flag were not there.
var commandLines = [][]string{
	{"serve"}, {"migrate"}, {"config"}, {"version"}, {"healthcheck"}, {"detect", "1Z5R89390357567127"},
	{"org", "list"}, {"org", "create", "acme"}, {"org", "show", "acme"},
	{"key", "list", "--org", "acme"}, {"key", "create", "--org", "acme"}, {"key", "revoke", "--org", "acme", "wb_0123456"},
	{"couriers", "list", "--org", "acme"}, {"couriers", "activate", "--org", "acme", "ups"}, {"couriers", "deactivate", "--org", "acme", "ups"},
	{"bench", "http"}, {"bench", "aftership"}, {"bench", "pages"}, {"bench", "webhooks"}, {"bench", "baseline"},
	{"onport", "sync", "--org", "acme", "--since", "2026-11-01"},
}

// TestHelpNeverActs: before, `org create --help` created an organization
// named "--help", `detect --help` detected "--help" and `serve --help`
// exited 1. Every command now prints its usage on stdout, exits 0 and
// touches no database.
func TestHelpNeverActs(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "never.db")
	t.Setenv("WAYBILL_DATABASE_URL", "sqlite:"+dbPath)
	for _, line := range commandLines {
		for _, help := range []string{"--help", "-h"} {
			for _, args := range [][]string{append(line[:len(line):len(line)], help), append([]string{line[0], help}, line[1:]...)} {
				stdout, stderr, code := cli(t, args...)
				if code != 0 || !strings.Contains(stdout+stderr, "usage: waybill "+line[0]) {
					t.Errorf("waybill %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
				}
				if strings.Contains(stdout, `"api_key":"`) || strings.Contains(stdout, `"couriers":[`) {
					t.Errorf("waybill %s acted: %s", strings.Join(args, " "), stdout)
				}
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"org", "help"}, {"key", "--help"}, {"bench", "help"}} {
		if stdout, _, code := cli(t, args...); code != 0 || !strings.Contains(stdout, "usage: waybill") {
			t.Errorf("waybill %s: exit %d, %q", strings.Join(args, " "), code, stdout)
		}
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a --help created the database: %v", err)
	}
}

// TestBadLinesExitTwo: unknown flags, flags a command does not take (before,
// `config --database-url x` ignored it), missing or extra arguments and
// unknown subcommands exit 2 with the usage on stderr, and act on nothing.
func TestBadLinesExitTwo(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "never.db")
	t.Setenv("WAYBILL_DATABASE_URL", "sqlite:"+dbPath)
	bad := [][]string{
		{"config", "--database-url", "x"}, {"version", "--short"}, {"version", "extra"},
		{"org", "create"}, {"org", "create", "a", "b"}, {"org", "show"}, {"org", "delete", "acme"}, {"org"},
		{"key", "create"}, {"key", "revoke", "--org", "acme"}, {"key", "list", "--org", "acme", "extra"}, {"key", "rotate"},
		{"frobnicate"}, {}, {"bench"}, {"bench", "nope"}, {"bench", "webhooks", "--nope"},
	}
	for _, line := range commandLines {
		bad = append(bad, append(line[:len(line):len(line)], "--no-such-flag"))
	}
	for _, args := range bad {
		stdout, stderr, code := cli(t, args...)
		if code != 2 || !strings.Contains(stderr, "usage: waybill") {
			t.Errorf("waybill %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
		if stdout != "" {
			t.Errorf("waybill %s wrote to stdout: %q", strings.Join(args, " "), stdout)
		}
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a bad command line created the database: %v", err)
	}
}

// TestBinaryExitStatus checks the statuses main gives, on the built binary.
func TestBinaryExitStatus(t *testing.T) {
	t.Setenv("WAYBILL_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "never.db"))
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"serve", "--help"}, 0}, {[]string{"org", "create", "--help"}, 0},
		{[]string{"serve", "--bogus"}, 2}, {[]string{"config", "--database-url", "x"}, 2},
		{[]string{"org", "show", "nobody"}, 1},
	} {
		err := exec.Command(binary, tc.args...).Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code {
			t.Errorf("waybill %s: exit %d, want %d", strings.Join(tc.args, " "), code, tc.code)
		}
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := cli(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "waybill ") {
		t.Fatalf("version: exit %d, %q", code, stdout)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0c1c0f7aa"}, {Key: "vcs.time", Value: "2026-12-03T20:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	for _, tt := range []struct {
		name   string
		info   *debug.BuildInfo
		linked linkedStamp
		want   string
	}{
		{"VCS stamp", info, linkedStamp{}, "waybill v1.2.0 (revision 0c1c0f7aa+dirty, 2026-12-03T20:00:00Z) go1.26.8"},
		{"VCS stamp wins over the linker", info, linkedStamp{Version: "v9", Revision: "feed"}, "waybill v1.2.0 (revision 0c1c0f7aa+dirty, 2026-12-03T20:00:00Z) go1.26.8"},
		{"nothing known", &debug.BuildInfo{GoVersion: "go1.26.8"}, linkedStamp{}, "waybill (devel) (revision unknown) go1.26.8"},
		{"-buildvcs=false with -ldflags -X", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			linkedStamp{Version: "v1.3.0", Revision: "ab12cd34"}, "waybill v1.3.0 (revision ab12cd34) go1.26.8"},
		{"pseudo-version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261203200000-0c1c0f7aa123+dirty"}},
			linkedStamp{}, "waybill v0.0.0-20261203200000-0c1c0f7aa123+dirty (revision 0c1c0f7aa123) go1.26.8"},
		{"pseudo-version after a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20261203200000-0c1c0f7aa123"}},
			linkedStamp{}, "waybill v1.2.1-0.20261203200000-0c1c0f7aa123 (revision 0c1c0f7aa123) go1.26.8"},
		{"release without VCS", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			linkedStamp{}, "waybill v1.2.0 (revision unknown) go1.26.8"},
	} {
		if got := versionString(tt.info, tt.linked); got != tt.want {
			t.Errorf("%s: versionString = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionLinked builds waybill as a tree without .git builds it
// (-buildvcs=false) with the revision given to the linker, as the
// Dockerfile does, and checks that `waybill version` prints it.
func TestVersionLinked(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "waybill")
	build := exec.Command("go", "build", "-buildvcs=false", "-o", bin,
		"-ldflags", "-X main.linkedRevision=0123456789abcdef0123456789abcdef01234567 -X main.linkedVersion=v1.3.0", ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "waybill v1.3.0 (revision 0123456789abcdef0123456789abcdef01234567) go"; !strings.HasPrefix(string(out), want) {
		t.Errorf("waybill version printed %q, want it to start with %q", out, want)
	}
}

// TestOrgsAndKeys drives org and key commands end to end on each engine,
// with two "instances" (two stores on the database) authenticating: a key
// revoked through the CLI is refused by both on their next request.
func TestOrgsAndKeys(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Setenv("WAYBILL_DATABASE_URL", testdb.URL(t, engine))
			stdout, _, code := cli(t, "migrate")
			if code != 0 || !strings.Contains(stdout, "applied 00001_foundation.sql") || !strings.Contains(stdout, "migrations applied") {
				t.Fatalf("first migrate: exit %d\n%s", code, stdout)
			}
			if stdout, _, code = cli(t, "migrate"); code != 0 || !strings.Contains(stdout, "nothing to apply") || strings.Contains(stdout, "applied ") {
				t.Fatalf("second migrate: exit %d\n%s", code, stdout)
			}

			stdout, stderr, code := cli(t, "org", "create", "acme")
			var created struct {
				Org    waybill.Organization `json:"org"`
				APIKey string               `json:"api_key"`
			}
			if code != 0 || json.Unmarshal([]byte(stdout), &created) != nil || created.APIKey == "" {
				t.Fatalf("org create: exit %d %q %q", code, stdout, stderr)
			}
			stdout, _, code = cli(t, "key", "create", "--org", "acme")
			var second struct {
				Prefix string `json:"prefix"`
				APIKey string `json:"api_key"`
			}
			if err := json.Unmarshal([]byte(stdout), &second); code != 0 || err != nil || second.APIKey == "" || second.Prefix != store.KeyPrefix(second.APIKey) {
				t.Fatalf("key create: exit %d %q", code, stdout)
			}
			if _, _, code = cli(t, "org", "create", "globex"); code != 0 {
				t.Fatal("org create globex failed")
			}

			stdout, _, _ = cli(t, "org", "list")
			if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 3 ||
				!strings.Contains(lines[1], "acme") || !strings.HasSuffix(lines[1], "2") || !strings.Contains(lines[2], "globex") {
				t.Errorf("org list:\n%s", stdout)
			}
			stdout, _, _ = cli(t, "key", "list", "--org", "acme")
			if !strings.Contains(stdout, store.KeyPrefix(created.APIKey)) || !strings.Contains(stdout, second.Prefix) ||
				strings.Contains(stdout, created.APIKey) || strings.Contains(stdout, second.APIKey) {
				t.Errorf("key list (prefixes, never keys):\n%s", stdout)
			}
			stdout, _, _ = cli(t, "org", "show", "acme")
			if !strings.Contains(stdout, "name:      acme") || !strings.Contains(stdout, "api keys:  2") || strings.Contains(stdout, created.APIKey) {
				t.Errorf("org show:\n%s", stdout)
			}
			if _, stderr, code := cli(t, "org", "show", "nobody"); code != 1 {
				t.Errorf("org show nobody: exit %d %q", code, stderr)
			}

			// Two instances on the database, both having just authenticated the key.
			ctx := context.Background()
			var instances []*tenant.Service
			for range 2 {
				st, err := store.Open(ctx, os.Getenv("WAYBILL_DATABASE_URL"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				ts := &tenant.Service{Store: st}
				if org, err := ts.Authenticate(ctx, created.APIKey); err != nil || org.Name != "acme" {
					t.Fatalf("authenticate before revoking: %v %v", org, err)
				}
				instances = append(instances, ts)
			}
			// Another organization cannot revoke acme's key.
			if _, _, code := cli(t, "key", "revoke", "--org", "globex", store.KeyPrefix(created.APIKey)); code != 1 {
				t.Errorf("globex revoked acme's key: exit %d", code)
			}
			stdout, stderr, code = cli(t, "key", "revoke", "--org", "acme", store.KeyPrefix(created.APIKey))
			if code != 0 || !strings.Contains(stdout, "revoked key") {
				t.Fatalf("key revoke: exit %d %q %q", code, stdout, stderr)
			}
			for i, ts := range instances {
				if _, err := ts.Authenticate(ctx, created.APIKey); waybill.ErrorCode(err) != waybill.EUNAUTHORIZED {
					t.Errorf("instance %d still accepts the revoked key: %v", i, err)
				}
				if org, err := ts.Authenticate(ctx, second.APIKey); err != nil || org.Name != "acme" {
					t.Errorf("instance %d refuses the other key: %v", i, err)
				}
			}
			if stdout, _, _ = cli(t, "key", "list", "--org", "acme"); strings.Contains(stdout, store.KeyPrefix(created.APIKey)) {
				t.Errorf("revoked key still listed:\n%s", stdout)
			}
		})
	}
}

func TestErrorLine(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errHelpShown, ""},
		{usageError{errors.New("x")}, ""},
		{fmt.Errorf("revoke key: %w", waybill.Errorf(waybill.ENOTFOUND, "organization nobody not found")), "organization nobody not found"},
		{errors.New("open database: refused"), "open database: refused"},
	} {
		if got := errorLine(tc.err); got != tc.want {
			t.Errorf("errorLine(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestCouriersCommand: `waybill couriers` narrows and widens the
// organization's couriers (before, there was no way to).
func TestCouriersCommand(t *testing.T) {
	t.Setenv("WAYBILL_DATABASE_URL", testdb.URL(t, "sqlite"))
	if _, _, code := cli(t, "org", "create", "acme"); code != 0 {
		t.Fatal("org create failed")
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"couriers", "list", "--org", "acme"}, 0, "acme: all "},
		{[]string{"couriers", "deactivate", "--org", "acme", "japan-post", "usps"}, 0, " of "},
		{[]string{"couriers", "list", "--org", "acme"}, 0, " of "},
		{[]string{"couriers", "activate", "--org", "acme", "JAPAN-POST"}, 0, "japan-post"},
		{[]string{"couriers", "activate", "--org", "acme", "all"}, 0, "acme: all "},
		{[]string{"couriers", "activate", "--org", "acme", "no-such-courier"}, 1, ""},
		{[]string{"couriers", "activate", "--org", "acme"}, 2, ""},
		{[]string{"couriers", "list", "--org", "nobody"}, 1, ""},
	}
	for _, s := range steps {
		stdout, stderr, code := cli(t, s.args...)
		if code != s.code || !strings.Contains(stdout, s.want) {
			t.Errorf("waybill %s: exit %d, %q %q", strings.Join(s.args, " "), code, stdout, stderr)
		}
		if strings.Contains(strings.Join(s.args, " "), "deactivate") && strings.Contains(stdout, "japan-post") {
			t.Errorf("japan-post still activated: %s", stdout)
		}
	}
}
