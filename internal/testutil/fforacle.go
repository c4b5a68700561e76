package testutil

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SkipWithoutFforacle skips tb under -short (each fforacle check takes
// about 5 s) and where firefox-esr is not on PATH.
func SkipWithoutFforacle(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("fforacle: skipped with -short (about 5 s per check)")
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		tb.Skip("fforacle: firefox-esr is not on PATH")
	}
}

// FforacleCheck has real Firefox judge files (a places.sqlite, optionally
// followed by its weave/bookmarks.sqlite): `fforacle check --strict` must
// accept them and report ok, or tb fails.
func FforacleCheck(tb testing.TB, files ...string) {
	tb.Helper()
	oracle := Shared(tb, "tools", "fforacle", "fforacle.py")
	out := filepath.Join(tb.TempDir(), "report.json")
	args := append([]string{oracle, "check"}, files...)
	args = append(args, "--strict", "--json", out)
	b, err := exec.Command("python3", args...).CombinedOutput()
	rep, _ := os.ReadFile(out)
	if err != nil {
		tb.Fatalf("fforacle rejected the files: %v\n%s\n%s", err, b, rep)
	}
	var r map[string]any
	if err := json.Unmarshal(rep, &r); err != nil {
		tb.Fatalf("fforacle report: %v", err)
	}
	if r["ok"] != true {
		tb.Fatalf("fforacle report is not ok: %s", rep)
	}
	tb.Logf("fforacle: ok=%v failures=%v warnings=%v", r["ok"], r["failures"], r["warnings"])
}
