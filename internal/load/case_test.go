package load_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/bundle/collect"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// A case opens through the seam as kind case, at its own clocks, refuses
// to be written, and leaves nothing behind when closed.
func TestOpenCase(t *testing.T) {
	paths, err := load.Resolve(testutil.Profile(t, "twoway", "before"), "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	clocks := tree.Clocks{Local: time.Unix(1795397988, 0), Remote: time.Unix(1700007200, 0)}
	prof, err := load.Open(paths, clocks)
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	if err := prof.Writable(); err != nil {
		t.Fatalf("a profile is not writable: %v", err)
	}
	out := filepath.Join(t.TempDir(), "case.zip")
	if _, err := collect.Write(context.Background(), prof, collect.Options{Out: out, Redact: true, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c, err := load.OpenCaseFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := load.CaseClocks(c); !got.Local.Equal(clocks.Local) || !got.Remote.Equal(clocks.Remote) {
		t.Errorf("case clocks %v, want %v", got, clocks)
	}
	cp, err := load.OpenCase(c, load.CaseClocks(c))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*source.Result{cp.Local, cp.Remote} {
		if r.Provenance.Kind != source.Case || r.Provenance.Path != out {
			t.Errorf("provenance %+v, want kind case, path %s", r.Provenance, out)
		}
	}
	if cp.Local.Tree.Len() != prof.Local.Tree.Len() || cp.Remote.Tree.Len() != prof.Remote.Tree.Len() {
		t.Errorf("case trees %d/%d items, profile %d/%d", cp.Local.Tree.Len(), cp.Remote.Tree.Len(), prof.Local.Tree.Len(), prof.Remote.Tree.Len())
	}
	if err := cp.Writable(); !errors.Is(err, load.ErrCase) {
		t.Errorf("Writable on a case: %v, want ErrCase", err)
	}
	dir := c.Dir
	cp.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the unpacked case %s", dir)
	}
}
