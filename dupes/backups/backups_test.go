package backups

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/tree"
)

// The shared backup reads as a tree with every item of its JSON.
func TestReadSharedBackup(t *testing.T) {
	src := testutil.Shared(t, "fixtures", "backups")
	profile := t.TempDir()
	dir := filepath.Join(profile, backup.FolderName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".jsonlz4" {
			name = e.Name()
			b, err := os.ReadFile(filepath.Join(src, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bookmarks-2026-01-01_3_broken.jsonlz4"), []byte("mozLz40\x00junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	refs, notes, err := Read(profile, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || len(notes) != 1 {
		t.Fatalf("refs %d, notes %q", len(refs), notes)
	}
	root, err := backup.Read(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	tr := refs[0].Tree
	if refs[0].Name != backup.FolderName+"/"+name {
		t.Fatalf("name %q", refs[0].Name)
	}
	if tr.Len() != root.Count() {
		t.Fatalf("tree has %d items, the backup %d", tr.Len(), root.Count())
	}
	root.Walk(func(n, parent *backup.Node) {
		got := tr.Lookup(n.GUID)
		if got == nil {
			t.Errorf("%s missing", n.GUID)
			return
		}
		if parent != nil && tr.ParentOf(got).GUID != parent.GUID {
			t.Errorf("%s under %s, want %s", n.GUID, tr.ParentOf(got).GUID, parent.GUID)
		}
		if parent != nil && (got.Info.Title != n.Title || got.Info.URL != n.URI) {
			t.Errorf("%s: %q %q, want %q %q", n.GUID, got.Info.Title, got.Info.URL, n.Title, n.URI)
		}
	})
	if tr.Lookup(tree.MenuGUID) == nil {
		t.Fatal("no menu")
	}
	if refs, _, err := Read(t.TempDir(), 0); err != nil || refs != nil {
		t.Fatalf("no backups folder: %v %v", refs, err)
	}
}
