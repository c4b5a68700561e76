package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestRelativePaths: every command that reads a profile accepts it by a
// relative path, and apply writes it (it used to refuse every relative
// path as "changed since the preview": the preview recorded the files by
// the path as given, apply by the absolute path).
func TestRelativePaths(t *testing.T) {
	times := []string{"--local-time", "1795397988", "--remote-time", "1700007200"}
	tests := []struct {
		name string
		// args name the profile; cd says where to run: "profile" (the
		// profile folder) or "parent" (the folder holding it, whose name
		// is twoway).
		cd   string
		args []string
	}{
		{"profile dot", "profile", []string{"--profile", "."}},
		{"profile relative folder", "parent", []string{"--profile", "twoway"}},
		{"places and mirror relative", "parent", []string{"--places", "twoway/places.sqlite", "--mirror", "twoway/weave/bookmarks.sqlite"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testutil.Profile(t, "twoway", "before")
			undo := []string{"undo", "--profile", ".", "--yes"}
			if tt.cd == "profile" {
				t.Chdir(dir)
			} else {
				t.Chdir(filepath.Dir(dir))
				undo[2] = filepath.Base(dir)
			}
			for _, cmd := range [][]string{{"validate"}, {"tree", "--side", "remote"}, {"merge", "--json"}} {
				if code, out, stderr := runCLI(t, append(append(cmd, tt.args...), times...)...); code != exitOK && code != exitProblems {
					t.Fatalf("%s: exit %d: %s%s", cmd[0], code, out, stderr)
				}
			}
			code, out, stderr := runCLI(t, append(append([]string{"apply", "--yes"}, tt.args...), times...)...)
			if code != exitOK || !strings.Contains(out, "verified") {
				t.Fatalf("apply: exit %d: %s%s", code, out, stderr)
			}
			if code, out, stderr := runCLI(t, undo...); code != exitOK || !strings.Contains(out, "restored") {
				t.Fatalf("undo: exit %d: %s%s", code, out, stderr)
			}
		})
	}
}
