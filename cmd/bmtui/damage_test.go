package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/testutil"
)

// damagedCases damage one page the tree readers never read, in either
// file of a copy of twoway.
var damagedCases = []struct {
	file, side, typ, object string
}{
	{"places.sqlite", "local", "index", "moz_places_url_hashindex"},
	{"places.sqlite", "local", "table", "moz_origins"},
	{"weave/bookmarks.sqlite", "remote", "index", "urlHashes"},
	{"weave/bookmarks.sqlite", "remote", "table", "sqlite_stat1"},
}

func damagedProfile(t *testing.T, file, object string) (dir, path string, page int64) {
	t.Helper()
	dir = testutil.Profile(t, "twoway", "before")
	path = filepath.Join(dir, file)
	page = testutil.LeafPage(t, path, object, 0)
	testutil.DamagePage(t, path, page)
	return dir, path, page
}

func TestValidateDamagedFile(t *testing.T) {
	for _, c := range damagedCases {
		t.Run(c.object, func(t *testing.T) {
			dir, path, page := damagedProfile(t, c.file, c.object)
			where := fmt.Sprintf("%s %s, page %d", c.typ, c.object, page)

			code, out, stderr := runCLI(t, "validate", "--profile", dir)
			if code != exitProblems {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitProblems, stderr)
			}
			for _, want := range []string{
				fmt.Sprintf("damaged: %s is damaged (%s)\n", filepath.Base(c.file), where),
				"  damagedFile              " + where + ": ",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "no problems found") {
				t.Error("a damaged file passed as healthy")
			}

			code, out, _ = runCLI(t, "validate", "--profile", dir, "--json")
			if code != exitProblems {
				t.Fatalf("--json: exit %d", code)
			}
			var got jsonout.Validate
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			r := got.Local
			if c.side == "remote" {
				r = got.Remote
			}
			if got.Problems < 1 || len(r.Findings) == 0 || r.Extra[jsonout.DamagedFile] != 1 {
				t.Fatalf("problems %d, findings %+v", got.Problems, r.Findings)
			}
			f := r.Findings[0]
			if f.Kind != "damagedFile" || f.Side != c.side || f.File != path || f.ObjectType != c.typ || f.Object != c.object ||
				!slices.Contains(f.Pages, page) || f.Detail == "" {
				t.Errorf("finding %+v, want %s %s page %d of %s", f, c.typ, c.object, page, path)
			}
		})
	}
}

func TestApplyRefusesDamagedFile(t *testing.T) {
	for _, c := range damagedCases {
		t.Run(c.object, func(t *testing.T) {
			dir, path, page := damagedProfile(t, c.file, c.object)
			before := snapshotFiles(t, dir)
			code, _, stderr := runCLI(t, "apply", "--profile", dir, "--yes", "--local-time", "1795397988", "--remote-time", "1700007200")
			hint := "" // salvage rebuilds places.sqlite, not the mirror
			if c.file == "places.sqlite" {
				hint = "; run bmtui salvage --profile " + dir
			}
			want := fmt.Sprintf("bmtui: apply to %s: %s at %s is damaged (%s %s, page %d): nothing written; bmtui does not write into a damaged file%s\n",
				dir, filepath.Base(c.file), path, c.typ, c.object, page, hint)
			if code != exitError || stderr != want {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
			}
			if after := snapshotFiles(t, dir); !maps.Equal(before, after) {
				t.Fatal("a refused apply changed the profile")
			}
		})
	}
}

// TestOpenDamagedTree damages a page the tree reader reads: every command
// ends with one line naming the file, saying it is damaged and where.
func TestOpenDamagedTree(t *testing.T) {
	dir, path, page := damagedProfile(t, "places.sqlite", "moz_bookmarks")
	want := fmt.Sprintf("bmtui: places.sqlite at %s is damaged (table moz_bookmarks, page %d; ", path, page)
	for _, cmd := range []string{"validate", "merge", "apply"} {
		code, _, stderr := runCLI(t, cmd, "--profile", dir, "--yes")
		if cmd != "apply" {
			code, _, stderr = runCLI(t, cmd, "--profile", dir)
		}
		if code != exitError || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want one line starting %q", cmd, code, stderr, want)
		}
	}
}

// TestMergeJSONDamagedFile: merge --json stages the outgoing records in a
// scratch copy, which a damaged file cannot give; the line names the
// profile's file, not the scratch copy.
func TestMergeJSONDamagedFile(t *testing.T) {
	dir, _, page := damagedProfile(t, "places.sqlite", "moz_places_url_hashindex")
	code, _, stderr := runCLI(t, "merge", "--profile", dir, "--json")
	want := fmt.Sprintf("places.sqlite is damaged (index moz_places_url_hashindex, page %d); see bmtui validate\n", page)
	if code != exitError || !strings.HasSuffix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want one line ending %q", code, stderr, want)
	}
}
