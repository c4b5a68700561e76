package backup

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestFirefoxRestoresBackup has a real Firefox ESR list and restore a
// backup written by Write (docs/formats.md#bookmark-backups), then compares Firefox's export of
// the restored tree with the tree we exported: every GUID under the same
// parent at the same index, with the same title, URI, tags and keyword.
func TestFirefoxRestoresBackup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Firefox")
	}
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Skip("firefox-esr not installed")
	}
	src := testutil.Profile(t, "twoway", "before")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(src, "places.sqlite")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	profile := t.TempDir()
	written, err := Write(profile, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Read(written)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "restored.json")
	cmd := exec.Command("python3", filepath.Join("testdata", "ffrestore.py"),
		testutil.Shared(t, "tools", "fforacle"), filepath.Dir(written), out)
	report, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Firefox did not restore %s: %v\n%s", filepath.Base(written), err, report)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	restored, err := Parse(data)
	if err != nil {
		t.Fatalf("Firefox's export of the restored tree: %v", err)
	}

	type entry struct {
		parent, title, uri, tags, keyword string
		index                             int64
	}
	flatten := func(root *Node) map[string]entry {
		m := map[string]entry{}
		var walk func(n *Node, parent string)
		walk = func(n *Node, parent string) {
			e := entry{parent: parent, title: n.Title, uri: n.URI, tags: n.Tags, keyword: n.Keyword, index: n.Index}
			m[n.GUID] = e
			for _, c := range n.Children {
				walk(c, n.GUID)
			}
		}
		walk(root, "")
		return m
	}
	want, got := flatten(ours), flatten(restored)
	if len(want) < 40 {
		t.Fatalf("only %d items in our backup", len(want))
	}
	for guid, w := range want {
		g, ok := got[guid]
		if !ok {
			t.Errorf("%s missing after Firefox restored the backup", guid)
			continue
		}
		if g != w {
			t.Errorf("%s restored as %+v, backed up as %+v", guid, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Firefox restored %d items, the backup has %d", len(got), len(want))
	}
}
