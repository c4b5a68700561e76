package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "bmtui (version unknown: built without build information)\n"},
		{"release from the module proxy", &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/bmtui/bmtui", Version: "v1.2.0"},
			Settings:  setting("GOOS", "linux", "GOARCH", "amd64"),
		}, "bmtui v1.2.0\nrevision: unknown (built without version control information)\ngo: go1.26.0 linux/amd64\n"},
		{"checkout with local edits", &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/bmtui/bmtui", Version: "(devel)"},
			Settings: setting("GOOS", "darwin", "GOARCH", "arm64",
				"vcs.revision", "e7e57ba8c1d2e3f40516273849aabbccddeeff00",
				"vcs.time", "2026-12-05T02:00:00Z", "vcs.modified", "true"),
		}, "bmtui (devel)\nrevision: e7e57ba8c1d2e3f40516273849aabbccddeeff00 (2026-12-05T02:00:00Z), modified\ngo: go1.26.0 darwin/arm64\n"},
		{"clean checkout, no version", &debug.BuildInfo{
			GoVersion: "go1.26.0",
			Settings:  setting("vcs.revision", "e7e57ba8", "vcs.modified", "false"),
		}, "bmtui (devel)\nrevision: e7e57ba8\ngo: go1.26.0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe("bmtui", tt.info); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCurrentNamesTheGoRelease(t *testing.T) {
	got := Current("bmtui")
	if !strings.HasPrefix(got, "bmtui ") || !strings.Contains(got, "\ngo: go1.") {
		t.Errorf("Current:\n%s", got)
	}
}
