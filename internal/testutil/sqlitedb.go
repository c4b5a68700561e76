package testutil

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// Helpers for the tests of the two database readers (places and
// sync/mirror). Those that open SQLite files need the test binary to link
// the "sqlite" driver (modernc.org/sqlite, which places imports); this
// package does not import it, so that tests which never touch a database
// stay small.

// ExecSQL runs stmts, in order, on the SQLite database at path (creating
// it if need be).
func ExecSQL(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}

// ListDir describes every file below dir (name, size, mtime), to tell
// whether anything was written there.
func ListDir(tb testing.TB, dir string) string {
	tb.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + " " + strconv.FormatInt(fi.Size(), 10) + " " + fi.ModTime().Format(time.RFC3339Nano) + "\n")
		return nil
	})
	return b.String()
}

// BadInput is one row of an Open bad-input table.
type BadInput struct {
	Name  string
	Setup func(t *testing.T, dir string) string // makes the input below dir; returns the path to open
	Want  error                                 // the sentinel the error must match
	Msg   string                                // what the message must contain
}

// WriteInput is a BadInput Setup that writes data to dir/name with perm
// and returns its path.
func WriteInput(name string, data []byte, perm fs.FileMode) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, perm); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// CheckBadInputs runs each case in a fresh folder: open must fail with an
// error that matches Want, is an E (errors.As), and is one line starting
// with prefix and containing Msg; and the folder must be left as it was.
func CheckBadInputs[E error, DB io.Closer](t *testing.T, open func(path string) (DB, error), prefix string, cases []BadInput) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.Setup(t, dir)
			before := ListDir(t, dir)
			db, err := open(path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.Want) {
				t.Errorf("error %v is not %v", err, tc.Want)
			}
			var e E
			if !errors.As(err, &e) {
				t.Errorf("error %T is not a %T", err, e)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.Msg) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, prefix) {
				t.Errorf("message %q, want one line starting %q containing %q", msg, prefix, tc.Msg)
			}
			if after := ListDir(t, dir); after != before {
				t.Errorf("folder changed:\n%s\nwas:\n%s", after, before)
			}
		})
	}
}

// MustOpen opens path with open, failing the test on an error, and closes
// the result when the test ends.
func MustOpen[DB io.Closer](tb testing.TB, open func(path string) (DB, error), path string) DB {
	tb.Helper()
	db, err := open(path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// LoadBeforeJSON decodes the profile fixture scenario's before.json
// (Firefox's own dump of its databases) into a T.
func LoadBeforeJSON[T any](tb testing.TB, scenario string) *T {
	tb.Helper()
	raw, err := os.ReadFile(Shared(tb, "fixtures", "profiles", scenario, "before.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var d T
	if err := json.Unmarshal(raw, &d); err != nil {
		tb.Fatalf("before.json: %v", err)
	}
	return &d
}

// Deref is *p, or the zero value when p is nil (a JSON null).
func Deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// EachProfileState runs fn in a subtest "scenario/state" with a fresh copy
// of every profile fixture in every state ("before", "after",
// "after-upload"); with -short, large-40k only in its "before" state.
func EachProfileState(t *testing.T, fn func(t *testing.T, scenario, dir string)) {
	t.Helper()
	for _, scenario := range ProfileScenarios {
		states := []string{"before", "after", "after-upload"}
		if scenario == "large-40k" && testing.Short() {
			states = states[:1]
		}
		for _, state := range states {
			t.Run(scenario+"/"+state, func(t *testing.T) {
				fn(t, scenario, Profile(t, scenario, state))
			})
		}
	}
}

// CheckURLHashes checks every (url, hash) row that query selects from db
// against hash, and returns how many rows there were.
func CheckURLHashes(t *testing.T, db *sql.DB, query string, hash func(url string) uint64) int {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var u string
		var h int64
		if err := rows.Scan(&u, &h); err != nil {
			t.Fatal(err)
		}
		if got := hash(u); got != uint64(h) {
			t.Errorf("hash(%q) = %d, stored %d", u, got, h)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// CheckTreeShape asserts what every tree read from a Firefox profile
// satisfies: the Places root with the four roots under it, every item
// reached by Walk, and children that name their parent. visit, when not
// nil, checks each node further.
func CheckTreeShape(t *testing.T, tr *tree.Tree, visit func(n *tree.Node)) {
	t.Helper()
	if tr.Root().GUID != tree.RootGUID {
		t.Errorf("root is %s", tr.Root().GUID)
	}
	for _, g := range []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID} {
		if n := tr.Lookup(g); n == nil || n.Parent != 0 {
			t.Errorf("%s not under the root", g)
		}
	}
	seen := 0
	tr.Walk(func(i int32, n *tree.Node) bool {
		seen++
		if visit != nil {
			visit(n)
		}
		for _, c := range tr.Children(i) {
			if tr.Node(c).Parent != i {
				t.Errorf("%s lists %s whose parent is elsewhere", n.GUID, tr.Node(c).GUID)
			}
		}
		return true
	})
	if seen != tr.Len() {
		t.Errorf("walk reached %d of %d items", seen, tr.Len())
	}
}

// ChildGUIDs are the GUIDs of the children of the folder guid in tr, in
// order; a folder tr lacks fails the test.
func ChildGUIDs(tb testing.TB, tr *tree.Tree, guid string) []string {
	tb.Helper()
	n := tr.Lookup(guid)
	if n == nil {
		tb.Fatalf("%s is not there", guid)
	}
	var out []string
	for _, c := range tr.ChildrenOf(n) {
		out = append(out, tr.Node(c).GUID)
	}
	return out
}
