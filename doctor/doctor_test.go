package doctor

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/sync/tree"
)

var now = time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)

// healthy is a synced profile with nothing wrong.
func healthy() *Facts {
	return &Facts{
		Profile: "/p", Now: now,
		Places:       File{Path: "/p/places.sqlite", Present: true},
		Mirror:       File{Path: "/p/weave/bookmarks.sqlite", Present: true},
		Local:        &Tree{Bookmarks: 10, Folders: 2},
		Remote:       &Tree{Bookmarks: 10, Folders: 2},
		PlacesSyncID: "abcdefghijkl", MirrorSyncID: "abcdefghijkl",
		Backups: Backups{Count: 2, Newest: now.AddDate(0, 0, -1), Oldest: now.AddDate(0, 0, -2), NewestName: "b.jsonlz4"},
	}
}

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(f *Facts)
		codes []string // in rank order
		worst Severity
		exit  int
	}{
		{"healthy", func(*Facts) {}, nil, Info, 0},
		{"missing places", func(f *Facts) { f.Places.Present = false; f.Local = nil }, []string{"places-missing"}, Critical, 5},
		{"damaged places, salvage told once", func(f *Facts) {
			f.Places.Damage = []dbcheck.Damage{{File: "/p/places.sqlite", Type: "index", Object: "i", Pages: []int64{3}}}
			f.Salvage = &Salvage{Damaged: true, Bookmarks: 9, Folders: 2}
		}, []string{"places-damaged"}, Critical, 5},
		{"unreadable corrupt places", func(f *Facts) {
			f.Places.OpenErr, f.Places.Corrupt, f.Local = "malformed", true, nil
			f.PlacesSyncID = ""
		}, []string{"places-unreadable"}, Critical, 5},
		{"replace on startup outranks the rest", func(f *Facts) {
			f.Prefs = Prefs{Found: true, ReplaceOnStartup: true}
			f.Backups = Backups{}
		}, []string{"replace-on-startup", "no-backups"}, Critical, 5},
		{"corrupt file with something to salvage", func(f *Facts) {
			f.Corrupt = &Corrupt{Path: "/p/places.sqlite.corrupt", Size: 10, Modified: now.Add(-3 * time.Hour)}
			f.Salvage = &Salvage{Damaged: true, Why: []string{"a .corrupt file"}}
		}, []string{"corrupt-file"}, Warning, 3},
		{"salvage with no other finding", func(f *Facts) {
			f.Salvage = &Salvage{Damaged: true, Why: []string{"the WAL holds more"}}
		}, []string{"salvage"}, Warning, 3},
		{"damaged mirror is only a warning", func(f *Facts) {
			f.Mirror.Damage = []dbcheck.Damage{{File: "/p/weave/bookmarks.sqlite"}}
		}, []string{"mirror-damaged"}, Warning, 3},
		{"sync ID mismatch", func(f *Facts) { f.MirrorSyncID = "zzzzzzzzzzzz" }, []string{"sync-id-mismatch"}, Warning, 3},
		{"sync ID lost from Places", func(f *Facts) { f.PlacesSyncID = "" }, []string{"sync-id-missing"}, Advice, 3},
		{"firefox running", func(f *Facts) { f.FirefoxPID = 42 }, []string{"firefox-running"}, Warning, 3},
		{"empty library with backups", func(f *Facts) { f.Local.Bookmarks = 0 }, []string{"library-empty"}, Warning, 3},
		{"tree problems", func(f *Facts) { f.Remote.Problems = tree.ProblemCounts{Orphans: 2} }, []string{"remote-problems"}, Advice, 3},
		{"old backups are info", func(f *Facts) { f.Backups.Newest = now.AddDate(0, -2, 0) }, []string{"old-backups"}, Info, 0},
		{"pending changes are info", func(f *Facts) { f.Local.Changed = 3 }, []string{"pending-changes"}, Info, 0},
		{"malformed prefs and declined bookmarks are info", func(f *Facts) {
			f.Prefs = Prefs{Found: true, Malformed: []string{"line 3: x"}, BookmarksDeclined: true}
		}, []string{"prefs-malformed", "bookmarks-not-synced"}, Info, 0},
		{"dupes to fix", func(f *Facts) {
			f.Dupes = &Dupes{Groups: 2, Copies: 5, Fixable: 2, ByKind: map[string]int{"exact": 2}}
		}, []string{"dupes"}, Advice, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := healthy()
			tc.edit(f)
			r := Diagnose(f, "--profile /p")
			var codes []string
			for _, x := range r.Findings {
				codes = append(codes, x.Code)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("findings %v, want %v", codes, tc.codes)
			}
			if r.Worst != tc.worst || r.ExitCode() != tc.exit {
				t.Errorf("worst %s exit %d, want %s %d", r.Worst, r.ExitCode(), tc.worst, tc.exit)
			}
			for _, x := range r.Findings {
				if x.Command != "" && x.Command[len(x.Command)-len("--profile /p"):] != "--profile /p" {
					t.Errorf("command %q does not name the profile", x.Command)
				}
			}
		})
	}
}

func TestSeverityJSON(t *testing.T) {
	for s := Info; s <= Critical; s++ {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%s → %s → %v (%v)", s, b, back, err)
		}
	}
	var bad Severity
	if err := json.Unmarshal([]byte(`"grave"`), &bad); err == nil {
		t.Error("an unknown severity was accepted")
	}
}
