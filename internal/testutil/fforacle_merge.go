package testutil

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OutgoingRecord is one record Firefox's dry merge would upload.
type OutgoingRecord struct {
	ID       string `json:"id"`
	Deleted  bool   `json:"deleted"`
	Type     string `json:"type"`
	ParentID string `json:"parentid"`
}

// FforacleDryMerge is FforacleCheck with Firefox's own merge run on the
// copy (`--dry-merge`): the files must be accepted (--strict) and the
// merge must go through. It returns the records that merge would upload.
func FforacleDryMerge(tb testing.TB, places, mirror string) []OutgoingRecord {
	tb.Helper()
	return fforacleDryMerge(tb, true, places, mirror)
}

// FforacleDryMergeLax is FforacleDryMerge without --strict, for files
// Firefox wrote itself, which may need benign repairs.
func FforacleDryMergeLax(tb testing.TB, places, mirror string) []OutgoingRecord {
	tb.Helper()
	return fforacleDryMerge(tb, false, places, mirror)
}

func fforacleDryMerge(tb testing.TB, strict bool, places, mirror string) []OutgoingRecord {
	tb.Helper()
	oracle := Shared(tb, "tools", "fforacle", "fforacle.py")
	out := filepath.Join(tb.TempDir(), "report.json")
	args := []string{oracle, "check", places, mirror, "--dry-merge", "--json", out}
	if strict {
		args = append(args, "--strict")
	}
	b, err := exec.Command("python3", args...).CombinedOutput()
	rep, _ := os.ReadFile(out)
	if err != nil {
		tb.Fatalf("fforacle rejected the files or the merge: %v\n%s\n%s", err, b, rep)
	}
	var r struct {
		OK     bool `json:"ok"`
		Mirror struct {
			DryMerge struct {
				Outgoing []OutgoingRecord `json:"outgoing"`
			} `json:"dryMerge"`
		} `json:"mirror"`
	}
	if err := json.Unmarshal(rep, &r); err != nil {
		tb.Fatalf("fforacle report: %v", err)
	}
	if !r.OK {
		tb.Fatalf("fforacle report is not ok: %s", rep)
	}
	return r.Mirror.DryMerge.Outgoing
}
