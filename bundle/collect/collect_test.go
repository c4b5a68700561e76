package collect_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/bundle/collect"
	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/tree"
)

// clocks are the times Firefox merged the scenario at (expected.json).
func clocks(t *testing.T, scenario string) tree.Clocks {
	t.Helper()
	r, err := testutil.OpenMaybeGzip(testutil.Shared(t, "fixtures", "profiles", scenario, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var e struct {
		LocalTime, RemoteTime float64
	}
	if err := json.NewDecoder(r).Decode(&e); err != nil {
		t.Fatal(err)
	}
	return tree.Clocks{Local: time.UnixMilli(int64(e.LocalTime * 1000)), Remote: time.UnixMilli(int64(e.RemoteTime * 1000))}
}

func openProfile(t *testing.T, scenario string) *load.Profile {
	t.Helper()
	dir := testutil.Profile(t, scenario, "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	prof, err := load.Open(paths, clocks(t, scenario))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prof.Close() })
	return prof
}

func writeBundle(t *testing.T, prof *load.Profile, redacted bool) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "case.zip")
	o := collect.Options{Out: out, Redact: redacted, Version: "bmtui test", Now: time.Unix(1_800_000_000, 0)}
	if redacted {
		o.Key = bytes.Repeat([]byte{7}, 32)
	}
	if _, err := collect.Write(context.Background(), prof, o); err != nil {
		t.Fatal(err)
	}
	return out
}

func openCase(t *testing.T, path string) *load.Profile {
	t.Helper()
	c, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := load.OpenCase(c, load.CaseClocks(c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prof.Close() })
	return prof
}

// decisions is everything the merge decides about prof, by GUID: the
// merged tree (structure, states, which side each node comes from), every
// recorded decision, the counts, what is applied, uploaded and deleted,
// every conflict with its alternatives, and both trees as the merge sees
// them (kind, validity, change flag, age, content or not, parent).
// withText keeps titles, URLs and the texts that quote them.
func decisions(t *testing.T, prof *load.Profile, withText bool) []string {
	t.Helper()
	v, err := mergeview.New(context.Background(), mergeview.Input{
		Local: prof.Local.Tree, Remote: prof.Remote.Tree, Now: prof.Clocks, Rebuild: prof.Rebuild, Explain: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := jsonout.NewMerge(v.Result())
	m.Conflicts = jsonout.NewConflicts(v.Conflicts())
	if !withText {
		var strip func(n *jsonout.MergedNode)
		strip = func(n *jsonout.MergedNode) {
			n.Title, n.URL = "", ""
			for _, c := range n.Children {
				strip(c)
			}
		}
		strip(m.Merged)
		for i := range m.Conflicts {
			c := &m.Conflicts[i]
			c.Title, c.Reason = "", ""
			for j := range c.Alternatives {
				c.Alternatives[j].Label = ""
			}
		}
	}
	var lines []string
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	lines = append(lines, strings.Split(string(b), "\n")...)
	for _, side := range []*tree.Tree{prof.Local.Tree, prof.Remote.Tree} {
		for i := 0; i < side.Len(); i++ {
			n := side.Node(int32(i))
			parent := ""
			if p := side.ParentOf(n); p != nil {
				parent = p.GUID
			}
			content := "-"
			if n.Content != nil {
				content = fmt.Sprint(n.Content.Kind)
				if withText {
					content += " " + n.Content.Title + " " + n.Content.URL
				}
			}
			lines = append(lines, fmt.Sprintf("%s %s kind=%v validity=%v needsMerge=%v age=%d pos=%d content=%s",
				n.GUID, parent, n.Kind, n.Validity, n.NeedsMerge, n.Age, n.Position, content))
		}
		lines = append(lines, "tombstones "+strings.Join(side.Tombstones(), " "))
	}
	return lines
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("line %d:\n  original: %s\n  case:     %s", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

// TestRedactedMergeSame: for every shared profile, the merge of the
// redacted case makes the same decisions as the merge of the profile,
// item for item, and the plain case's merge is the profile's to the
// letter.
func TestRedactedMergeSame(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			if testing.Short() && scenario == "large-40k" {
				t.Skip("large fixture in -short mode")
			}
			prof := openProfile(t, scenario)
			want := decisions(t, prof, false)
			got := decisions(t, openCase(t, writeBundle(t, prof, true)), false)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the redacted case merges differently: %s", firstDiff(want, got))
			}
			want = decisions(t, prof, true)
			got = decisions(t, openCase(t, writeBundle(t, prof, false)), true)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the plain case merges differently: %s", firstDiff(want, got))
			}
		})
	}
}

// TestCaseSameMembers: for every shared profile, the report and the
// decision log a bundle carries, plain or redacted, are what opening the
// case makes of it, byte for byte: the bundle makes them from the
// profile's trees (redacted in memory), the case from its rows.
func TestCaseSameMembers(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			if testing.Short() && scenario == "large-40k" {
				t.Skip("large fixture in -short mode")
			}
			prof := openProfile(t, scenario)
			for _, redacted := range []bool{false, true} {
				path := writeBundle(t, prof, redacted)
				members := memberBytes(t, path)
				report, log, err := collect.Members(context.Background(), openCase(t, path))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range []struct {
					name string
					want []byte
				}{{bundle.ReportName, report}, {bundle.DecisionsName, log}} {
					if got := members[m.name]; !bytes.Equal(got, m.want) {
						t.Errorf("redacted %v: %s differs from the case's: %s", redacted, m.name,
							firstDiff(strings.Split(string(m.want), "\n"), strings.Split(string(got), "\n")))
					}
				}
			}
		})
	}
}

// TestFilesOnlySameBundle: a redacted bundle made from the profile's
// files alone (load.OpenFiles, what bmtui bundle --redact opens) is the
// one made from the loaded profile, byte for byte: the report and the log
// come from the redacted rows either way.
func TestFilesOnlySameBundle(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		if scenario == "large-40k" {
			continue // the same code as the others, at length
		}
		t.Run(scenario, func(t *testing.T) {
			prof := openProfile(t, scenario)
			files, err := load.OpenFiles(prof.Paths, prof.Clocks)
			if err != nil {
				t.Fatal(err)
			}
			defer files.Close()
			if files.Local != nil || files.Remote != nil {
				t.Fatal("OpenFiles read a tree")
			}
			want, got := memberBytes(t, writeBundle(t, prof, true)), memberBytes(t, writeBundle(t, files, true))
			if len(got) != len(want) {
				t.Fatalf("%d members, want %d", len(got), len(want))
			}
			for name, b := range want {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs (%d bytes, want %d)", name, len(got[name]), len(b))
				}
			}
		})
	}
}

// memberBytes are the inflated bytes of every member of the zip at path.
func memberBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// originalWords are every title, URL, keyword and tag (and the other free
// texts the mirror keeps: descriptions, feed and site URLs, POST data) of
// the profile in dir.
func originalWords(t *testing.T, dir string) []string {
	t.Helper()
	var words []string
	for _, q := range []struct{ file, sql string }{
		{"places.sqlite", `SELECT title FROM moz_bookmarks UNION SELECT url FROM moz_places WHERE id IN (SELECT fk FROM moz_bookmarks)
			UNION SELECT keyword FROM moz_keywords UNION SELECT post_data FROM moz_keywords`},
		{"weave/bookmarks.sqlite", `SELECT title FROM items UNION SELECT keyword FROM items UNION SELECT description FROM items
			UNION SELECT feedURL FROM items UNION SELECT siteURL FROM items UNION SELECT smartBookmarkName FROM items
			UNION SELECT url FROM urls UNION SELECT tag FROM tags`},
	} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, q.file)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if s.Valid {
				words = append(words, s.String)
			}
		}
		rows.Close()
		db.Close()
	}
	return words
}

// minWord is the shortest original searched for. Shorter strings (a
// title "Go", a keyword "w") occur by chance in any binary file, in
// SQLite's page headers and in 16-letter base32 stand-ins, so finding
// them would prove nothing either way; every fixture word of 4 bytes or
// more is searched.
const minWord = 4

// maxSearched bounds the words searched in one case.
const maxSearched = 200

// guids are the profile's GUIDs, lowercase. A case keeps GUIDs (the
// merge pairs items by them), and the fixtures spell theirs after their
// titles ("fldArchive__"): a title found inside a GUID is no leak.
func guids(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, q := range []struct{ file, sql string }{
		{"places.sqlite", `SELECT guid FROM moz_bookmarks UNION SELECT guid FROM moz_bookmarks_deleted`},
		{"weave/bookmarks.sqlite", `SELECT guid FROM items UNION SELECT guid FROM structure`},
	} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, q.file)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.ToLower(s.String))
		}
		rows.Close()
		db.Close()
	}
	return out
}

type leakCase struct {
	scenario      string
	words         []string // the originals searched for
	guids         []string
	redacted, raw map[string][]byte
}

// TestRedactedLeaksNothing: no title, URL, keyword or tag of a profile
// appears in any member of its redacted case (inflated), compared
// without regard to case, except (1) strings shorter than minWord, (2) a
// word inside one of the profile's GUIDs, which a case keeps, and (3) a
// word the format itself spells: one that appears in another profile's
// redacted case without being one of that profile's words (a JSON key, an
// SQL column, a side such as "remote"). The same search finds most
// originals in the plain case, so it can find them.
func TestRedactedLeaksNothing(t *testing.T) {
	var cases []*leakCase
	for _, scenario := range testutil.ProfileScenarios {
		if testing.Short() && scenario == "large-40k" {
			continue
		}
		prof := openProfile(t, scenario)
		c := &leakCase{scenario: scenario, guids: guids(t, prof.Paths.Dir)}
		for _, w := range originalWords(t, prof.Paths.Dir) {
			if len(w) >= minWord {
				c.words = append(c.words, w)
			}
		}
		if len(c.words) > maxSearched {
			// Each word is a search through every byte of the case (50 MB
			// for large-40k): an even sample of its 80,000 words.
			step := len(c.words) / maxSearched
			var sample []string
			for i := 0; i < len(c.words); i += step {
				sample = append(sample, c.words[i])
			}
			c.words = sample
		}
		c.redacted = lowered(memberBytes(t, writeBundle(t, prof, true)))
		c.raw = lowered(memberBytes(t, writeBundle(t, prof, false)))
		cases = append(cases, c)
	}
	contains := func(m map[string][]byte, w string) string {
		for name, b := range m {
			if bytes.Contains(b, []byte(w)) {
				return name
			}
		}
		return ""
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			var leaks []string
			inRaw, skipped := 0, []string(nil)
			for _, orig := range c.words {
				w := strings.ToLower(orig)
				if contains(c.raw, w) != "" {
					inRaw++
				}
				where := contains(c.redacted, w)
				if where == "" {
					continue
				}
				if slices.ContainsFunc(c.guids, func(g string) bool { return strings.Contains(g, w) }) || formatWord(cases, c, w) ||
					structuralQuery(t, orig) {
					skipped = append(skipped, w)
					continue
				}
				leaks = append(leaks, fmt.Sprintf("%q in %s", w, where))
			}
			if len(leaks) > 0 {
				t.Errorf("%d of %d originals appear in the redacted case, e.g. %s", len(leaks), len(c.words), strings.Join(leaks[:min(len(leaks), 8)], ", "))
			}
			if inRaw < len(c.words)/2 {
				t.Errorf("the plain case shows only %d of %d originals: the search is broken", inRaw, len(c.words))
			}
			t.Logf("%d originals searched, %d skipped (in a GUID, the format's own words or a structural query): %q", len(c.words), len(skipped), skipped)
		})
	}
}

// structuralQuery reports whether w is a place: query whose parameters
// are all structure (Firefox's own "Most visited" is
// place:sort=8&maxResults=10): it holds no word of the user's and the
// redactor keeps it as it is.
func structuralQuery(t *testing.T, w string) bool {
	if !strings.HasPrefix(w, "place:") {
		return false
	}
	r, err := redact.New(make([]byte, redact.KeySize), places.ParseURL)
	if err != nil {
		t.Fatal(err)
	}
	return r.URL(w) == w
}

// formatWord reports whether w appears in another profile's redacted case
// without being one of that profile's words.
func formatWord(cases []*leakCase, self *leakCase, w string) bool {
	for _, o := range cases {
		if o == self || slices.ContainsFunc(o.words, func(ow string) bool { return strings.EqualFold(ow, w) }) {
			continue
		}
		for _, b := range o.redacted {
			if bytes.Contains(b, []byte(w)) {
				return true
			}
		}
	}
	return false
}

func lowered(m map[string][]byte) map[string][]byte {
	for k, b := range m {
		m[k] = bytes.ToLower(b)
	}
	return m
}

// BenchmarkBundleRedactLarge40k is `bmtui bundle --redact` on large-40k
// as the command runs it: open the files (snapshots, structural checks),
// read and redact the rows, build the trees from them, validate, merge,
// pack. It
// reports the CPU time per bundle too, which a shared machine's load
// disturbs less than the elapsed time.
func BenchmarkBundleRedactLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	out := filepath.Join(b.TempDir(), "case.zip")
	start := cpuTime()
	for b.Loop() {
		prof, err := load.OpenFiles(paths, tree.Clocks{Local: now, Remote: now})
		if err != nil {
			b.Fatal(err)
		}
		_, err = collect.Write(context.Background(), prof, collect.Options{Out: out, Force: true, Redact: true, Now: now})
		prof.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestTreesFromRows: for every shared profile, the trees a redacted
// bundle builds from the rows it copied give the report, the decision
// log and the notes that reading the files again and redacting the trees
// in memory gives, byte for byte; and the rows are never irregular.
func TestTreesFromRows(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			if testing.Short() && scenario == "large-40k" {
				t.Skip("large fixture in -short mode")
			}
			prof := openProfile(t, scenario)
			rows, files, notes, err := collect.SidesBothWays(context.Background(), prof, bytes.Repeat([]byte{3}, 32))
			if err != nil {
				t.Fatalf("trees from rows: %v", err)
			}
			for i, name := range []string{"report", "decision log"} {
				if !bytes.Equal(rows[i], files[i]) {
					t.Errorf("%s from rows differs from the files': %s", name,
						firstDiff(strings.Split(string(files[i]), ","), strings.Split(string(rows[i]), ",")))
				}
			}
			if files[1] == nil && prof.Remote != nil && prof.MergeErr() == nil {
				t.Error("no decision log")
			}
			if !slices.Equal(notes[0], notes[1]) {
				t.Errorf("notes from rows %q, from the files %q", notes[0], notes[1])
			}
		})
	}
}

// TestIrregularRowsFallBack: rows holding what only SQLite's conversions
// read (text in an integer column) make the bundle read its trees from
// the files, and its members are still what opening the case makes.
func TestIrregularRowsFallBack(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	db, err := sql.Open("sqlite", filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE moz_bookmarks SET position = 'first' WHERE id = (SELECT max(id) FROM moz_bookmarks)`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	prof, err := load.Open(paths, clocks(t, "twoway"))
	if err != nil {
		t.Fatal(err)
	}
	defer prof.Close()
	if _, _, _, err := collect.SidesBothWays(context.Background(), prof, bytes.Repeat([]byte{3}, 32)); err == nil {
		t.Fatal("irregular rows were read as regular")
	}
	path := writeBundle(t, prof, true)
	members := memberBytes(t, path)
	report, log, err := collect.Members(context.Background(), openCase(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(members[bundle.ReportName], report) || !bytes.Equal(members[bundle.DecisionsName], log) {
		t.Error("the bundle's report or log differs from the case's")
	}
}
