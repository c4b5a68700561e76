package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

func unpackDamagedProfile(t *testing.T, name string) string { return testutil.UnpackDamaged(t, name) }

// TestSalvageWriteDamaged is the proof on every damaged fixture:
// `salvage --write --yes` exits 0, the profile then reads as undamaged
// with every item from places.sqlite, real Firefox accepts it (fforacle
// check --strict, without -short and with firefox-esr), and undo brings
// the damaged files back byte for byte.
func TestSalvageWriteDamaged(t *testing.T) {
	for _, name := range testutil.DamagedCases {
		t.Run(name, func(t *testing.T) {
			dir := unpackDamagedProfile(t, name)
			orig, err := os.ReadFile(filepath.Join(dir, "places.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			code, before, stderr := runCLI(t, "salvage", "--profile", dir, "--json")
			if code != exitProblems || stderr != "" {
				t.Fatalf("salvage: exit %d, stderr %q", code, stderr)
			}
			var rep struct {
				Counts struct{ Bookmarks, Folders, Separators int }
				Items  []struct{ GUID string }
			}
			if err := json.Unmarshal([]byte(before), &rep); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runCLI(t, "salvage", "--write", "--yes", "--profile", dir)
			if code != exitOK || stderr != "" {
				t.Fatalf("salvage --write: exit %d\n%s%s", code, out, stderr)
			}
			if !strings.Contains(out, "backup of the damaged files: ") {
				t.Errorf("no backup named:\n%s", out)
			}
			code, after, _ := runCLI(t, "salvage", "--profile", dir)
			if code != exitOK || !strings.Contains(after, "nothing is damaged\n") {
				t.Errorf("after the write: exit %d\n%s", code, after)
			}
			want := len(rep.Items)
			if !strings.Contains(after, "  "+itoa(want)+" items from places.sqlite as they are") {
				t.Errorf("after the write, want all %d items read from places.sqlite:\n%s", want, after)
			}
			fforacleCheck(t, dir)
			if code, out, stderr := runCLI(t, "undo", "--profile", dir, "--yes"); code != exitOK {
				t.Fatalf("undo: exit %d\n%s%s", code, out, stderr)
			}
			back, err := os.ReadFile(filepath.Join(dir, "places.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, orig) {
				t.Errorf("undo did not restore the damaged places.sqlite byte for byte")
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func fforacleCheck(t *testing.T, dir string) {
	t.Helper()
	if testing.Short() {
		t.Log("fforacle: skipped with -short")
		return
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Log("fforacle: firefox-esr is not on PATH")
		return
	}
	oracle := testutil.Shared(t, "tools", "fforacle", "fforacle.py")
	report := filepath.Join(t.TempDir(), "report.json")
	out, err := exec.Command("python3", oracle, "check", filepath.Join(dir, "places.sqlite"),
		filepath.Join(dir, "weave", "bookmarks.sqlite"), "--strict", "--json", report).CombinedOutput()
	if err != nil {
		rep, _ := os.ReadFile(report)
		t.Fatalf("fforacle check --strict rejected the salvage: %v\n%s\n%s", err, out, rep)
	}
}
