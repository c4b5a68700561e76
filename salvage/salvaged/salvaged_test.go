package salvaged_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/salvage/salvaged"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestSalvagedSource opens each shared damaged profile as a source: it
// changes no file; its tree holds every item of truth.json that salvage
// brings back, at its parent with its title and URL; it is the tree the
// Places reader reads from the file salvage --write would write; Notes
// say what is damaged; Tombstones are the deletions kept.
func TestSalvagedSource(t *testing.T) {
	for _, name := range []string{"a-bookmarks-leaf", "b-index-only", "f-wal-recent"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testutil.UnpackProfile(t, testutil.Shared(t, "fixtures", "damaged", name, "profile"), dir)
			before := hashes(t, dir)
			src, err := salvaged.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			clock := time.UnixMilli(1_800_000_000_000)
			res, err := src.Load(clock)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Mergeable() {
				t.Fatalf("tree error: %v", res.TreeErr)
			}
			if p := res.Provenance; p.Kind != source.Salvaged || p.Side != tree.Local || p.Path != filepath.Join(dir, "places.sqlite") {
				t.Errorf("provenance %+v", p)
			}
			if after := hashes(t, dir); !maps(before, after) {
				t.Errorf("opening the source changed the profile:\n%v\n%v", before, after)
			}
			if name != "b-index-only" && !strings.Contains(strings.Join(res.Notes, "\n"), "damaged") {
				t.Errorf("notes do not say what is damaged: %q", res.Notes)
			}
			db := src.Salvage().DB
			if len(res.Tombstones) != len(db.Tombstones) {
				t.Errorf("%d tombstones, the rebuild keeps %d", len(res.Tombstones), len(db.Tombstones))
			}

			// Every truth item the rebuild has, as the truth has it.
			var truth struct {
				Items []struct {
					GUID, Title, URL, ParentGUID string
				} `json:"items"`
			}
			data, err := os.ReadFile(testutil.Shared(t, "fixtures", "damaged", name, "truth.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &truth); err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, ti := range truth.Items {
				n := res.Tree.Lookup(ti.GUID)
				if n == nil {
					continue
				}
				found++
				if p := res.Tree.ParentOf(n); p == nil || p.GUID != ti.ParentGUID || n.Info.Title != ti.Title || n.Info.URL != ti.URL {
					t.Errorf("%s: %q %q in %v; truth %q %q in %s", ti.GUID, n.Info.Title, n.Info.URL, p, ti.Title, ti.URL, ti.ParentGUID)
				}
			}
			if found < len(truth.Items)*9/10 {
				t.Errorf("%d of %d truth items in the tree", found, len(truth.Items))
			}

			// The same tree the written file gives.
			out := filepath.Join(t.TempDir(), "places.sqlite")
			if err := rebuild.Write(context.Background(), out, db, clock); err != nil {
				t.Fatal(err)
			}
			ps, err := places.OpenSource(out)
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			written, err := ps.Load(clock)
			if err != nil {
				t.Fatal(err)
			}
			compared := 0
			written.Tree.Walk(func(_ int32, w *tree.Node) bool {
				wp := written.Tree.ParentOf(w)
				if wp != nil && (wp.GUID == tree.TagsGUID || written.Tree.ParentOf(wp) != nil && written.Tree.ParentOf(wp).GUID == tree.TagsGUID) {
					return true // tag folders and entries: Info.Tags here
				}
				n := res.Tree.Lookup(w.GUID)
				if n == nil {
					t.Errorf("%s is in the written file, not in the source's tree", w.GUID)
					return true
				}
				compared++
				np := res.Tree.ParentOf(n)
				if (np == nil) != (wp == nil) || np != nil && np.GUID != wp.GUID || n.Kind != w.Kind || n.Position != w.Position ||
					n.Age != w.Age || n.NeedsMerge != w.NeedsMerge || n.Validity != w.Validity ||
					(n.Content == nil) != (w.Content == nil) || n.Content != nil && *n.Content != *w.Content ||
					n.Info.Title != w.Info.Title || n.Info.URL != w.Info.URL || n.Info.Keyword != w.Info.Keyword ||
					!slices.Equal(sorted(n.Info.Tags), sorted(w.Info.Tags)) || n.Info.SyncStatus != w.Info.SyncStatus {
					t.Errorf("%s differs from the written file's:\n source  %+v %+v\n written %+v %+v", w.GUID, n.Item, *n.Info, w.Item, *w.Info)
				}
				return true
			})
			if compared != res.Tree.Len() {
				t.Errorf("compared %d items of %d", compared, res.Tree.Len())
			}
		})
	}
}

// TestSalvagedNothing: a profile with nothing recoverable is an error
// that says so.
func TestSalvagedNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "places.sqlite"), []byte("not a database at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := salvaged.Open(dir); !errors.Is(err, salvaged.ErrNothing) {
		t.Fatalf("Open: %v, want ErrNothing", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func hashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maps(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
