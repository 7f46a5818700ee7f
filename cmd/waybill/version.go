package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

const versionUsage = `usage: waybill version

Print Waybill's module version, the source revision it was built from (with
"+dirty" when the tree had uncommitted changes) and the Go version.

The revision comes from the build's VCS stamp (go build in a git checkout).
A build without one (-buildvcs=false, a source tree without .git such as
the container build) takes it from the linker instead:
  go build -ldflags "-X main.linkedRevision=$(git rev-parse HEAD) -X main.linkedVersion=v1.2.0" ./cmd/waybill`

// Set by the linker (-ldflags -X) for builds without a VCS stamp: the
// Dockerfile passes them from its WAYBILL_REVISION and WAYBILL_VERSION
// build arguments. Empty otherwise.
var (
	linkedRevision string
	linkedVersion  string
)

func versionCommand(args []string, stdout, stderr io.Writer) error {
	if _, err := newCmdLine("version", versionUsage, stdout, stderr).parse(args, 0, 0); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(stdout, versionString(info, linkedStamp{Version: linkedVersion, Revision: linkedRevision}))
	return err
}

// linkedStamp is what the linker was told of the build (-X).
type linkedStamp struct{ Version, Revision string }

// versionString describes a build: "waybill v1.2.0 (revision 0c1c0f7…, 2026-12-03T20:00:00Z) go1.26.8".
// The revision is the VCS stamp's; without one, the linked revision; without
// that, the commit a pseudo-version names (v0.0.0-20261203200000-0c1c0f7aa123);
// and only then "revision unknown". The version is the module's, or the
// linked one when the module's is "(devel)".
func versionString(info *debug.BuildInfo, linked linkedStamp) string {
	if info == nil {
		info = &debug.BuildInfo{GoVersion: runtime.Version()}
	}
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = cmp.Or(linked.Version, "(devel)")
	}
	var revision, when string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if revision == "" {
		revision = cmp.Or(linked.Revision, pseudoVersionRevision(version))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "waybill %s (", version)
	if revision == "" {
		b.WriteString("revision unknown")
	} else {
		fmt.Fprintf(&b, "revision %s", revision)
		if dirty {
			b.WriteString("+dirty")
		}
		if when != "" {
			fmt.Fprintf(&b, ", %s", when)
		}
	}
	fmt.Fprintf(&b, ") %s", info.GoVersion)
	return b.String()
}

// pseudoVersionRevision returns the commit prefix a pseudo-version ends
// with ("v0.0.0-20261203200000-0c1c0f7aa123+dirty" -> "0c1c0f7aa123"), or
// "" for any other version.
func pseudoVersionRevision(v string) string {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 || len(v)-i-1 != 12 {
		return ""
	}
	rev := v[i+1:]
	for _, c := range rev {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return ""
		}
	}
	// The part before is a 14-digit UTC time: yyyymmddhhmmss.
	ts := v[:i]
	if j := strings.LastIndexAny(ts, "-."); j >= 0 {
		ts = ts[j+1:]
	}
	if len(ts) != 14 || strings.Trim(ts, "0123456789") != "" {
		return ""
	}
	return rev
}
