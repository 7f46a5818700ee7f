package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const versionUsage = `usage: waybill version

Print Waybill's module version, the source revision it was built from (with
"+dirty" when the tree had uncommitted changes) and the Go version.`

func versionCommand(args []string, stdout, stderr io.Writer) error {
	if _, err := newCmdLine("version", versionUsage, stdout, stderr).parse(args, 0, 0); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(stdout, versionString(info))
	return err
}

// versionString describes a build: "waybill v1.2.0 (revision 0c1c0f7…, 2026-12-03T20:00:00Z) go1.26.8".
// Without build information, or built without VCS stamping
// (-buildvcs=false), the unknown parts say so.
func versionString(info *debug.BuildInfo) string {
	if info == nil {
		return "waybill (unknown version: no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
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
