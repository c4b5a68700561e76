package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/record"
)

// runCLI runs bmtui with args and returns the exit code and both outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func TestValidateCorruptRemoteMatchesFirefox(t *testing.T) {
	dir := testutil.Profile(t, "corrupt-remote", "before")
	code, out, stderr := runCLI(t, "validate", "--profile", dir, "--json")
	if code != exitProblems {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitProblems, stderr)
	}
	var got jsonout.Validate
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Remote == nil {
		t.Fatal("no remote report")
	}
	// What Firefox's own validation reported for this remote tree.
	var exp struct {
		Telemetry struct {
			Validation []struct {
				Problems []struct {
					Name  string `json:"name"`
					Count int    `json:"count"`
				} `json:"problems"`
			} `json:"validation"`
		} `json:"telemetry"`
	}
	raw, err := os.ReadFile(testutil.Shared(t, "fixtures", "profiles", "corrupt-remote", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, p := range exp.Telemetry.Validation[0].Problems {
		want[p.Name] = p.Count
	}
	if len(want) == 0 {
		t.Fatal("expected.json has no validation problems")
	}
	// Our counts, by their JSON names, must equal Firefox's; all others 0.
	countsJSON, _ := json.Marshal(got.Remote.Counts)
	var counts map[string]int
	_ = json.Unmarshal(countsJSON, &counts)
	for name, n := range counts {
		if n != want[name] {
			t.Errorf("remote %s = %d, Firefox reported %d", name, n, want[name])
		}
	}
	for name := range want {
		if _, ok := counts[name]; !ok {
			t.Errorf("Firefox counter %s missing from our JSON", name)
		}
	}
}

func TestValidateCleanProfile(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	code, out, stderr := runCLI(t, "validate", "--profile", dir)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "no problems found") {
		t.Errorf("output does not say the profile is clean:\n%s", out)
	}
}

func TestTreeJSON(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	for _, side := range []string{"local", "remote"} {
		code, out, stderr := runCLI(t, "tree", "--side", side, "--profile", dir, "--json")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", side, code, stderr)
		}
		var got jsonout.Tree
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v", side, err)
		}
		if got.Side != side || got.Root == nil || got.Root.GUID != "root________" {
			t.Fatalf("%s: bad tree header %+v", side, got)
		}
		n := 0
		var walk func(*jsonout.Node)
		walk = func(x *jsonout.Node) {
			n++
			for _, c := range x.Children {
				walk(c)
			}
		}
		walk(got.Root)
		if n != got.Items {
			t.Errorf("%s: %d nodes printed, %d items", side, n, got.Items)
		}
	}
	// The plain form names items by title with their GUIDs.
	code, out, _ := runCLI(t, "tree", "--profile", dir)
	if code != exitOK || !strings.Contains(out, "[menu________]") {
		t.Fatalf("plain tree: exit %d\n%s", code, out)
	}
}

func TestErrors(t *testing.T) {
	tmp := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clean := testutil.Profile(t, "small-clean", "before")
	realPlaces, err := os.ReadFile(filepath.Join(clean, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"missing profile folder", []string{"validate", "--profile", filepath.Join(tmp, "nope")}, exitError, "nope"},
		{"non-SQLite file", []string{"validate", "--places", write("text.sqlite", []byte("hello, this is not a database at all, just some text that is long enough"))}, exitError, "not an SQLite database"},
		{"empty file", []string{"validate", "--places", write("empty.sqlite", nil)}, exitError, "empty"},
		{"truncated database", []string{"validate", "--places", write("trunc.sqlite", realPlaces[:usedBytes(realPlaces)/2])}, exitError, "trunc.sqlite"},
		{"wrong kind", []string{"validate", "--places", filepath.Join(clean, "weave", "bookmarks.sqlite")}, exitError, "not a Firefox Places database"},
		{"mirror as directory", []string{"validate", "--places", filepath.Join(clean, "places.sqlite"), "--mirror", tmp}, exitError, tmp},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"bad side", []string{"tree", "--side", "middle", "--profile", clean}, exitUsage, "--side"},
		{"bad time", []string{"validate", "--profile", clean, "--local-time", "yesterday"}, exitUsage, "--local-time"},
		{"stray argument", []string{"validate", "extra"}, exitUsage, "unexpected argument"},
		{"mirror without places", []string{"validate", "--mirror", "x"}, exitError, "--mirror needs --places"},
		{"serve on a public address", []string{"serve", "--profile", clean, "--listen", "0.0.0.0:0", "--authorized-keys", filepath.Join(tmp, "none")}, exitError, "--allow-remote"},
		{"serve without authorized keys", []string{"serve", "--profile", clean, "--listen", "127.0.0.1:0", "--authorized-keys", filepath.Join(tmp, "none"), "--host-key", filepath.Join(tmp, "hk")}, exitError, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out, stderr)
			}
			if !strings.Contains(stderr, tt.contains) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.contains)
			}
			if tt.code == exitError && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace shown: %s", stderr)
			}
		})
	}
	// Nothing was written next to the inputs: no -wal, -shm or -journal.
	for _, dir := range []string{tmp, clean} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), "-wal") || strings.HasSuffix(e.Name(), "-shm") || strings.HasSuffix(e.Name(), "-journal") {
				t.Errorf("%s written in %s", e.Name(), dir)
			}
		}
	}
}

// usedBytes is the part of an SQLite file its header says is in use
// (Places pre-grows its file, so the file size says nothing).
func usedBytes(db []byte) int {
	pageSize := int(db[16])<<8 | int(db[17])
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int(db[28])<<24 | int(db[29])<<16 | int(db[30])<<8 | int(db[31])
	return pageSize * pages
}

func TestNoProfileFound(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	code, _, stderr := runCLI(t, "validate")
	if code != exitError || !strings.Contains(stderr, "--demo") {
		t.Fatalf("exit %d, stderr %q: want exit 1 pointing to --demo", code, stderr)
	}
}

// TestMergePreview runs `bmtui merge --json` on twoway with the times
// Firefox was given, and checks the preview against what Firefox did: the
// merged GUIDs, the telemetry counters, the outgoing record count. It also
// checks that the profile's files are untouched.
func TestMergePreview(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	before := snapshotFiles(t, dir)
	var exp struct {
		LocalTime     float64                    `json:"localTime"`
		RemoteTime    float64                    `json:"remoteTime"`
		OutgoingCount int                        `json:"outgoingCount"`
		Outgoing      map[string]json.RawMessage `json:"outgoing"`
	}
	raw, err := os.ReadFile(testutil.Shared(t, "fixtures", "profiles", "twoway", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "merge", "--profile", dir, "--json",
		"--local-time", fmt.Sprint(exp.LocalTime), "--remote-time", fmt.Sprint(exp.RemoteTime))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got jsonout.Merge
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// Firefox's telemetry for this merge: localDeletes 1, localRevives 1,
	// remoteDeletes 1, 77 items.
	if c := got.Counts; c.MergedNodes != 77 || c.LocalDeletes != 1 || c.LocalRevives != 1 || c.RemoteDeletes != 1 {
		t.Errorf("counts %+v, want 77 items and 1/1/1 local deletes/local revives/remote deletes", c)
	}
	// The preview lists exactly the records Firefox uploaded, with the
	// same counters (weak uploads have counter 0).
	type rec struct {
		Counter   int64 `json:"counter"`
		Tombstone bool  `json:"tombstone"`
	}
	want := map[string]rec{}
	for id, raw := range exp.Outgoing {
		var r rec
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		want[id] = r
	}
	gotRecs := map[string]rec{}
	for _, r := range got.Outgoing {
		gotRecs[r.ID] = rec{Counter: r.Counter, Tombstone: r.Tombstone}
	}
	if !maps.Equal(gotRecs, want) || len(got.Outgoing) != exp.OutgoingCount {
		t.Errorf("outgoing records differ from Firefox's:\n got %v\nwant %v", gotRecs, want)
	}
	// Every item the merge uploads is among them.
	for _, g := range append(got.Upload.Items, got.Upload.Tombstones...) {
		if _, ok := want[record.ID(g)]; !ok {
			t.Errorf("the preview uploads %s; Firefox does not", g)
		}
	}
	if got.Summary.Conflicts == 0 || len(got.Conflicts) != got.Summary.Conflicts {
		t.Errorf("conflicts %d listed, summary says %d", len(got.Conflicts), got.Summary.Conflicts)
	}
	for _, c := range got.Conflicts {
		if c.ID == "" || c.Reason == "" || len(c.Alternatives) == 0 {
			t.Errorf("conflict without id, reason or alternatives: %+v", c)
		}
	}
	if got.Merged == nil || got.Merged.GUID != "root________" {
		t.Fatal("no merged root")
	}
	if after := snapshotFiles(t, dir); !maps.Equal(before, after) {
		t.Errorf("merge changed the profile: %v -> %v", before, after)
	}

	// The readable form says the same in words.
	code, text, _ := runCLI(t, "merge", "--profile", dir, "--local-time", fmt.Sprint(exp.LocalTime), "--remote-time", fmt.Sprint(exp.RemoteTime))
	if code != exitOK || !strings.Contains(text, "merged tree: 77 items") {
		t.Errorf("summary:\n%s", text)
	}
}

// snapshotFiles hashes every file below dir.
func snapshotFiles(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMergeOverrideAndSession flips twoway's rename conflict from the
// command line, saves the session, replays it, and refuses it on another
// profile.
func TestMergeOverrideAndSession(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	times := []string{"--local-time", "1795397988", "--remote-time", "1700007200"}
	mergeJSON := func(args ...string) jsonout.Merge {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"merge", "--profile", dir, "--json"}, args...)...)
		if code != exitOK {
			t.Fatalf("merge %v: exit %d: %s", args, code, stderr)
		}
		var m jsonout.Merge
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	title := func(m jsonout.Merge, guid string) string {
		var find func(n *jsonout.MergedNode) string
		find = func(n *jsonout.MergedNode) string {
			if n.GUID == guid {
				return n.Title
			}
			for _, c := range n.Children {
				if s := find(c); s != "" {
					return s
				}
			}
			return ""
		}
		return find(m.Merged)
	}
	conflict := func(m jsonout.Merge, id string) jsonout.Conflict {
		for _, c := range m.Conflicts {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("no conflict %s among %d", id, len(m.Conflicts))
		return jsonout.Conflict{}
	}

	base := mergeJSON(times...)
	c := conflict(base, "value:bmkHn_______")
	if c.Decided || c.Current != c.Default || len(c.Alternatives) != 2 || c.Reason == "" {
		t.Fatalf("default conflict %+v", c)
	}
	other := "remote"
	if c.Default == "remote" {
		other = "local"
	}
	before := title(base, "bmkHn_______")

	session := filepath.Join(t.TempDir(), "session.json")
	flipped := mergeJSON(append(times, "--choose", "value:bmkHn_______="+other, "--save-resolutions", session)...)
	if fc := conflict(flipped, "value:bmkHn_______"); !fc.Decided || fc.Current != other {
		t.Fatalf("after --choose: %+v", fc)
	}
	after := title(flipped, "bmkHn_______")
	if after == before || after == "" {
		t.Fatalf("title did not flip: %q then %q", before, after)
	}

	// The saved session replays with its own times, no time flags needed.
	replayed := mergeJSON("--resolutions", session)
	if got := title(replayed, "bmkHn_______"); got != after {
		t.Fatalf("replayed title %q, want %q", got, after)
	}

	// A session is refused on a profile it was not made for.
	otherProfile := testutil.Profile(t, "dupes", "before")
	code, _, stderr := runCLI(t, "merge", "--profile", otherProfile, "--resolutions", session)
	if code != exitError || !strings.Contains(stderr, "changed since the session was saved") {
		t.Fatalf("foreign session: exit %d, %q", code, stderr)
	}
	// The merge screen refuses it too, before starting.
	code, _, stderr = runCLI(t, "merge", "--tui", "--profile", otherProfile, "--resolutions", session)
	if code != exitError || !strings.Contains(stderr, "changed since the session was saved") {
		t.Fatalf("foreign session in the merge screen: exit %d, %q", code, stderr)
	}
	// An unknown conflict is a usage error.
	code, _, stderr = runCLI(t, append([]string{"merge", "--profile", dir, "--choose", "value:nope________=local"}, times...)...)
	if code != exitUsage {
		t.Fatalf("unknown conflict: exit %d, %q", code, stderr)
	}
}

// TestApplyAndUndo applies twoway through the command line, checks what was
// written and kept, then undoes it byte for byte.
func TestApplyAndUndo(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	times := []string{"--local-time", "1795397988", "--remote-time", "1700007200"}
	dbs := []string{filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite")}
	before := hashFiles(t, dbs)

	code, out, stderr := runCLI(t, append([]string{"apply", "--profile", dir, "--yes"}, times...)...)
	if code != exitOK {
		t.Fatalf("apply: exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"backup of both databases", "Firefox bookmark backup", "records Firefox will upload at its next sync: 23", "verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if after := hashFiles(t, dbs); maps.Equal(before, after) {
		t.Fatal("apply changed nothing")
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "bookmarkbackups", "bookmarks-*.jsonlz4"))
	if len(backups) != 1 {
		t.Errorf("Firefox backups: %v", backups)
	}
	// Applying again merges the already merged profile: it must not fail.
	if code, _, stderr := runCLI(t, append([]string{"apply", "--profile", dir, "--yes"}, times...)...); code != exitOK {
		t.Fatalf("second apply: exit %d: %s", code, stderr)
	}

	// Undo twice: the second apply, then the first.
	for i := 0; i < 2; i++ {
		if code, out, stderr := runCLI(t, "undo", "--profile", dir, "--yes"); code != exitOK || !strings.Contains(out, "restored") {
			t.Fatalf("undo %d: exit %d: %s%s", i, code, out, stderr)
		}
	}
	if after := hashFiles(t, dbs); !maps.Equal(before, after) {
		t.Fatal("undo did not bring back the original files")
	}
}

func TestApplyRefusals(t *testing.T) {
	times := []string{"--local-time", "1795397988", "--remote-time", "1700007200"}
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string) []string // extra args
		contains string
	}{
		{"no terminal and no --yes", func(t *testing.T, dir string) []string { return []string{"--profile", dir} }, "--yes"},
		{"Firefox running", func(t *testing.T, dir string) []string {
			if err := os.Symlink(fmt.Sprintf("127.0.0.1:+%d", os.Getpid()), filepath.Join(dir, "lock")); err != nil {
				t.Fatal(err)
			}
			return []string{"--profile", dir, "--yes"}
		}, "Firefox is running"},
		{"not a whole profile", func(t *testing.T, dir string) []string {
			// The mirror elsewhere: apply writes a profile as Firefox lays it out.
			other := filepath.Join(t.TempDir(), "bookmarks.sqlite")
			b, err := os.ReadFile(filepath.Join(dir, "weave", "bookmarks.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(other, b, 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"--places", filepath.Join(dir, "places.sqlite"), "--mirror", other, "--yes"}
		}, "--profile"},
		{"foreign session", func(t *testing.T, dir string) []string {
			p := filepath.Join(t.TempDir(), "s.json")
			os.WriteFile(p, []byte(`{"format":"bmtui-merge-session/1","local":{"time":"2026-01-01T00:00:00Z","items":1,"tombstones":0,"hash":"sha256:00"},"remote":{"time":"2026-01-01T00:00:00Z","items":1,"tombstones":0,"hash":"sha256:00"},"resolutions":[]}`), 0o644)
			return []string{"--profile", dir, "--yes", "--resolutions", p}
		}, "changed since the session was saved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testutil.Profile(t, "twoway", "before")
			args := append([]string{"apply"}, tt.setup(t, dir)...)
			if tt.name != "foreign session" {
				args = append(args, times...)
			}
			before := snapshotFiles(t, dir)
			code, _, stderr := runCLI(t, args...)
			if code != exitError || !strings.Contains(stderr, tt.contains) {
				t.Fatalf("exit %d, stderr %q; want exit 1 mentioning %q", code, stderr, tt.contains)
			}
			if after := snapshotFiles(t, dir); !maps.Equal(before, after) {
				t.Fatal("a refused apply changed the profile")
			}
		})
	}
	if code, _, stderr := runCLI(t, "undo", "--profile", testutil.Profile(t, "twoway", "before"), "--yes"); code != exitError || !strings.Contains(stderr, "nothing to undo") {
		t.Fatalf("undo without backup: exit %d, %q", code, stderr)
	}
}

func hashFiles(t *testing.T, paths []string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = sha256.Sum256(b)
	}
	return out
}

// TestApplyFinishesInterruptedApply leaves a profile as a bmtui killed
// just before its transaction would: the in-progress marker written and
// places.sqlite switched to a rollback journal. Previews leave that alone;
// apply finishes it (places.sqlite back in WAL mode), says so, and
// applies.
func TestApplyFinishesInterruptedApply(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	times := []string{"--local-time", "1795397988", "--remote-time", "1700007200"}
	db, err := sql.Open("sqlite", filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("journal mode %q: %v", mode, err)
	}
	db.Close()
	marker := filepath.Join(dir, apply.BackupFolder, "APPLYING")
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte(filepath.Join(dir, apply.BackupFolder, "20261123T000000Z")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, append([]string{"merge", "--profile", dir}, times...)...); code != exitOK {
		t.Fatalf("merge: exit %d: %s%s", code, out, stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("a preview finished the interrupted apply: %v", err)
	}
	code, out, stderr := runCLI(t, append([]string{"apply", "--profile", dir, "--yes"}, times...)...)
	if code != exitOK {
		t.Fatalf("apply: exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"note: finished an interrupted bmtui apply", "verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the marker is still there: %v", err)
	}
	header := make([]byte, 20)
	f, err := os.Open(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ReadAt(header, 0); err != nil {
		t.Fatal(err)
	}
	if header[18] != 2 || header[19] != 2 {
		t.Errorf("places.sqlite is not in WAL mode: header bytes 18-19 are %d %d", header[18], header[19])
	}
}
