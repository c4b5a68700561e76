package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// invalidGUID is what the mirror's new remote bookmark is renamed to.
const invalidGUID = "bad!"

// invalidGUIDProfile is twoway/before with the server's new bookmark
// bmkRemoteNw1 carrying an invalid GUID.
func invalidGUIDProfile(t *testing.T) string {
	t.Helper()
	dir := testutil.Profile(t, "twoway", "before")
	testutil.ExecSQL(t, filepath.Join(dir, "weave", "bookmarks.sqlite"),
		`UPDATE items SET guid = '`+invalidGUID+`' WHERE guid = 'bmkRemoteNw1'`,
		`UPDATE structure SET guid = '`+invalidGUID+`' WHERE guid = 'bmkRemoteNw1'`)
	return dir
}

// The command line's preview, the merge screen (TUI and SSH build the same
// ui.App) and the apply name the replacement of an invalid GUID alike
// (issue 12, defect 2).
func TestReplacementGUIDsAgree(t *testing.T) {
	dir := invalidGUIDProfile(t)

	// The preview.
	code, out, stderr := runCLI(t, "merge", "--profile", dir, "--json")
	if code != 0 {
		t.Fatalf("merge --json: exit %d: %s", code, stderr)
	}
	var m jsonout.Merge
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("merge --json: %v", err)
	}
	preview := ""
	for _, p := range m.ApplyLocally.Values {
		if p.From == invalidGUID {
			preview = p.To
		}
	}
	if preview == "" || preview == invalidGUID {
		t.Fatalf("the preview applies no replacement of %q: %+v", invalidGUID, m.ApplyLocally.Values)
	}

	// The screen.
	screen := screenView(t, dir)
	r := screen.LookupSide(tree.Remote, invalidGUID)
	if r == nil || r.Deleted {
		t.Fatalf("the screen has no merged row for the remote %q", invalidGUID)
	}
	if r.GUID() != preview {
		t.Errorf("the screen shows %q as %s, the preview as %s", invalidGUID, r.GUID(), preview)
	}

	// The apply.
	if code, _, stderr := runCLI(t, "apply", "--yes", "--profile", dir); code != 0 {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var title string
	if err := db.QueryRow(`SELECT title FROM moz_bookmarks WHERE guid = ?`, preview).Scan(&title); err != nil {
		t.Fatalf("the apply wrote no bookmark %s (the preview's GUID): %v", preview, err)
	}
	if title != "Remote new bookmark" {
		t.Errorf("bookmark %s is titled %q", preview, title)
	}
	var invalid int
	if err := db.QueryRow(`SELECT count(*) FROM moz_bookmarks WHERE guid = ?`, invalidGUID).Scan(&invalid); err != nil || invalid != 0 {
		t.Errorf("the invalid GUID is in Places %d times (%v)", invalid, err)
	}
}

// screenView opens the merge screen on the profile as `bmtui merge --tui`
// and the SSH server do, and returns the view it shows.
func screenView(t *testing.T, dir string) *mergeview.View {
	t.Helper()
	paths, err := load.Resolve(dir, "", "", "", runtime.GOOS)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	prof, err := load.Open(paths, tree.Clocks{Local: now, Remote: now})
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	in := appInput(prof, "test")
	in.StartInMerge = true
	app := ui.NewApp(in, ui.Options{ReadOnly: true})
	teamsg.Drain(app, append([]tea.Msg{tea.WindowSizeMsg{Width: 120, Height: 40}}, teamsg.Collect(app.Init())...)...)
	if app.Merge() == nil || app.Merge().MergeView() == nil {
		t.Fatal("the merge screen showed no merge")
	}
	return app.Merge().MergeView()
}
