package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// TestRestoreCallback: the app's R callback previews restoring the
// mirror's copy of a bookmark deleted here, as bmtui restore prints it;
// its Write writes and verifies; a second write from the same (now
// stale) preview is refused, and nothing more is written.
func TestRestoreCallback(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	prof, err := load.Open(paths, tree.Clocks{Local: time.Now(), Remote: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	plan := restoreFunc(context.Background(), prof)
	p, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"bmkMail_____"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "restore from mirror: 1 item back into Places" || len(p.Lines) != 1 ||
		p.Lines[0] != `insert bookmark "Mail" into Bookmarks Menu/Work at 1` || !strings.HasPrefix(p.Upload, "Firefox will upload") || p.Write == nil {
		t.Fatalf("preview: %+v", p)
	}
	out, err := p.Write()
	if err != nil || !strings.Contains(out, "bmtui undo restores it") {
		t.Fatalf("write: %q %v", out, err)
	}
	again, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"fldArchive__"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Write(); !errors.Is(err, apply.ErrChanged) {
		t.Errorf("a write from the stale trees: %v, want ErrChanged", err)
	}
	if _, err := plan(ui.RestoreRequest{Side: tree.Remote, GUIDs: []string{"bmkNope_____"}}); err == nil || err.Error() != "bmkNope_____ is not in mirror" {
		t.Errorf("unknown GUID: %v", err)
	}
}
