// Package version describes the running build as the Go toolchain stamped
// it: the module version, the commit it was built from and the Go release.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Current describes this binary, called name.
func Current(name string) string {
	info, _ := debug.ReadBuildInfo()
	return Describe(name, info)
}

// Describe is the text `--version` prints, one fact a line:
//
//	bmtui v1.2.0
//	revision: 0123abcd… (2026-12-05T02:00:00Z), modified
//	go: go1.26.0 linux/amd64
//
// info may be nil (a binary built without module support).
func Describe(name string, info *debug.BuildInfo) string {
	if info == nil {
		return name + " (version unknown: built without build information)\n"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "%s %s\n", name, v)
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision: %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(", modified")
		}
		b.WriteByte('\n')
	} else {
		b.WriteString("revision: unknown (built without version control information)\n")
	}
	fmt.Fprintf(&b, "go: %s", info.GoVersion)
	if os, arch := settings["GOOS"], settings["GOARCH"]; os != "" && arch != "" {
		fmt.Fprintf(&b, " %s/%s", os, arch)
	}
	b.WriteByte('\n')
	return b.String()
}
