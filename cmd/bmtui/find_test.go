package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/testutil"
)

// TestFindHistory14 holds find to what Firefox did in "history-14" (four
// dated backups between deletions, moves and a rename; tombstones on both
// sides): for every GUID, the sources holding it are exactly those the
// scenario's history names, each with the folder it had there, where it
// lives now, and its deletion: the moz_bookmarks_deleted row Firefox
// wrote (read here with SQL), or the server's deletion the scenario sent.
func TestFindHistory14(t *testing.T) {
	dir := testutil.Profile(t, "history-14", "before")
	placesTombs := readTombstones(t, filepath.Join(dir, "places.sqlite"))
	serverDeleted := time.Unix(1790003000, 0) // the scenario's "modified" for bmkRemoteDel

	for _, want := range testutil.History14 {
		t.Run(want.GUID, func(t *testing.T) {
			got := findJSON(t, 0, "--profile", dir, "--json", "guid:"+want.GUID)
			if len(got.Matches) != 1 {
				t.Fatalf("%d matches, want 1: %+v", len(got.Matches), got.Matches)
			}
			m := got.Matches[0]
			if m.GUID != want.GUID || m.Title != want.Title {
				t.Errorf("match %s %q, want %s %q", m.GUID, m.Title, want.GUID, want.Title)
			}
			wantSeen := map[string]string{}
			for date, path := range want.Backups {
				wantSeen["backup:"+date] = path
			}
			if want.Places != "" {
				wantSeen["places"] = want.Places
			}
			if want.Mirror != "" {
				wantSeen["mirror"] = want.Mirror
			}
			gotSeen := map[string]string{}
			for _, s := range m.Seen {
				gotSeen[s.Source] = strings.ReplaceAll(s.Path, " / ", "/")
			}
			for src, path := range wantSeen {
				if g, ok := gotSeen[src]; !ok {
					t.Errorf("not seen in %s (where it is in %q)", src, path)
				} else if g != path {
					t.Errorf("in %s at %q, want %q", src, g, path)
				}
			}
			for src := range gotSeen {
				if _, ok := wantSeen[src]; !ok {
					t.Errorf("seen in %s, which does not hold it", src)
				}
			}
			switch {
			case want.Places == "" && m.Now != nil:
				t.Errorf("now in %q, want gone", m.Now.Path)
			case want.Places != "" && (m.Now == nil || strings.ReplaceAll(m.Now.Path, " / ", "/") != want.Places):
				t.Errorf("now %+v, want in %q", m.Now, want.Places)
			}
			var wantDel *jsonout.FindDeletion
			switch {
			case want.PlacesTombstone:
				at, ok := placesTombs[want.GUID]
				if !ok {
					t.Fatalf("places.sqlite has no tombstone for %s", want.GUID)
				}
				wantDel = &jsonout.FindDeletion{Time: jsonout.Timestamp(at), By: "places"}
			case want.MirrorTombstone:
				wantDel = &jsonout.FindDeletion{Time: jsonout.Timestamp(serverDeleted), By: "mirror"}
			}
			if (m.Deleted == nil) != (wantDel == nil) || (wantDel != nil && *m.Deleted != *wantDel) {
				t.Errorf("deleted %+v, want %+v", m.Deleted, wantDel)
			}
		})
	}

	// The renamed bookmark is found by the title only the older backups
	// still have; it is shown with its title now.
	got := findJSON(t, 0, "--profile", dir, "--json", "OLD TITLE")
	if len(got.Matches) != 1 || got.Matches[0].GUID != "bmkRenamed__" || got.Matches[0].Title != "New title" {
		t.Fatalf("old title: %+v", got.Matches)
	}
	var holders []string
	for _, s := range got.Matches[0].Seen {
		holders = append(holders, s.Source)
	}
	if !slices.Contains(holders, "backup:2026-11-01") || !slices.Contains(holders, "places") {
		t.Errorf("renamed item seen in %v", holders)
	}
	// Every source of the profile was searched, oldest first.
	var ids []string
	for _, s := range got.Sources {
		ids = append(ids, s.ID)
	}
	for _, id := range []string{"places", "mirror", "backup:2026-11-01", "backup:2026-11-02", "backup:2026-11-03", "backup:2026-11-04"} {
		if !slices.Contains(ids, id) {
			t.Errorf("source %s not searched (%v)", id, ids)
		}
	}
	for i := 1; i < len(got.Sources); i++ {
		if got.Sources[i].Time < got.Sources[i-1].Time {
			t.Errorf("sources not oldest first: %+v", got.Sources)
		}
	}
	findJSON(t, exitNotFound, "--profile", dir, "--json", "guid:noSuchGuid_")
}

func findJSON(t *testing.T, wantCode int, args ...string) jsonout.Find {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"find"}, args...)...)
	if code != wantCode {
		t.Fatalf("find %v: exit %d, want %d; stderr %s", args, code, wantCode, errOut)
	}
	var got jsonout.Find
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("find %v: %v\n%s", args, err, out)
	}
	return got
}

// readTombstones reads moz_bookmarks_deleted as Firefox wrote it.
func readTombstones(t *testing.T, path string) map[string]time.Time {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT guid, dateRemoved FROM moz_bookmarks_deleted`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var g string
		var us int64
		if err := rows.Scan(&g, &us); err != nil {
			t.Fatal(err)
		}
		out[g] = time.UnixMicro(us)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A places.sqlite with a sound header but damaged pages (the damaged
// fixtures: a bookmarks page Places cannot read, damaged indexes, a torn
// moz_places page) has its salvaged tree searched and on the timeline, as
// one that is missing or not SQLite has; a healthy profile's has not.
func TestDamagedPlacesListsSalvaged(t *testing.T) {
	type profile struct {
		name, dir string
		want      bool
	}
	profiles := []profile{{"healthy", testutil.Profile(t, "twoway", "before"), false}}
	for _, name := range testutil.DamagedCases {
		profiles = append(profiles, profile{name, testutil.UnpackDamaged(t, name), true})
	}
	salvagedLine := regexp.MustCompile(`(?m)^\S+ \S+ UTC  salvaged `)
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			got := findJSON(t, 0, "--profile", p.dir, "--json", "e")
			searched := false
			for _, s := range got.Sources {
				searched = searched || s.ID == "salvaged"
			}
			if searched != p.want {
				t.Errorf("find searched salvaged: %v, want %v", searched, p.want)
			}
			code, out, errOut := runCLI(t, "timeline", "--profile", p.dir)
			if code != exitOK {
				t.Fatalf("timeline: exit %d: %s", code, errOut)
			}
			if listed := salvagedLine.MatchString(out); listed != p.want {
				t.Errorf("timeline lists salvaged: %v, want %v\n%s", listed, p.want, out)
			}
		})
	}
}
