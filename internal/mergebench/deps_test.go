package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The harness is compared with dogear-bench, a merger and a JSON decoder;
// linking SQLite (through testutil) doubled its resident memory at 10k.
func TestLinksOnlyTheMerge(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "modernc.org/") || strings.HasSuffix(pkg, "/internal/testutil") || pkg == "testing" || pkg == "database/sql" {
			t.Errorf("mergebench links %s", pkg)
		}
	}
}
