package backups

import (
	"os"
	"path/filepath"
	"slices"
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
	if refs[0].Name != backup.FolderName+"/"+name {
		t.Fatalf("name %q", refs[0].Name)
	}
	o := refs[0].Outline
	if o == nil || refs[0].Tree != nil {
		t.Fatalf("want an outline, got %+v", refs[0])
	}
	// Every item is there; every folder is, with its children in order,
	// under its parent, with its title.
	folders := 0
	root.Walk(func(n, parent *backup.Node) {
		if !o.Has(n.GUID) {
			t.Errorf("%s missing", n.GUID)
		}
		if n.TypeCode != 2 && parent != nil {
			return
		}
		folders++
		f := o.Folder(n.GUID)
		if f == nil {
			t.Errorf("folder %s missing", n.GUID)
			return
		}
		var kids []string
		for _, c := range n.Children {
			kids = append(kids, c.GUID)
		}
		if !slices.Equal(f.Children, kids) {
			t.Errorf("%s has %v, want %v", n.GUID, f.Children, kids)
		}
		if parent != nil && (o.Folders[f.Parent].Item.GUID != parent.GUID || f.Item.Info.Title != n.Title || f.Item.Info.DateAdded != n.DateAdded) {
			t.Errorf("%s: under %s titled %q", n.GUID, o.Folders[f.Parent].Item.GUID, f.Item.Info.Title)
		}
	})
	if len(o.Folders) != folders || o.Folder(tree.MenuGUID) == nil {
		t.Fatalf("%d folders, want %d", len(o.Folders), folders)
	}
	if o.Has("notThere____") {
		t.Fatal("has a GUID the backup has not")
	}
	if refs, _, err := Read(t.TempDir(), 0); err != nil || refs != nil {
		t.Fatalf("no backups folder: %v %v", refs, err)
	}
}
