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
}

// TestTruncatedDatabase cuts a real places.sqlite in half: one line
// naming the file, exit 1, nothing written. (The other bad inputs are in
// testdata/script/errors.txtar.)
func TestTruncatedDatabase(t *testing.T) {
	clean := testutil.Profile(t, "small-clean", "before")
	realPlaces, err := os.ReadFile(filepath.Join(clean, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	trunc := filepath.Join(tmp, "trunc.sqlite")
	if err := os.WriteFile(trunc, realPlaces[:usedBytes(realPlaces)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "validate", "--places", trunc)
	if code != exitError || !strings.Contains(stderr, "trunc.sqlite") {
		t.Fatalf("exit %d, want %d naming the file\nstdout %s\nstderr %s", code, exitError, out, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") > 0 || strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("error is not one line: %q", stderr)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if e.Name() != "trunc.sqlite" {
			t.Errorf("%s written next to the input", e.Name())
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

// hashFiles hashes each of paths.
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

// TestMergeOverrideAndSession flips twoway's rename conflict from the
// command line, saves the session and replays it.
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

	// Refusals (another profile, an unknown conflict) are in
	// testdata/script/merge.txtar.
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

// TestApplyNamesInterruptedSalvage: a salvage killed before its backup
// was complete leaves only its marker; the next apply finishes it and
// says it was a salvage, not an apply.
func TestApplyNamesInterruptedSalvage(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	marker := filepath.Join(dir, apply.BackupFolder, "APPLYING")
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte("SALVAGE "), 0o644); err != nil {
		t.Fatal(err)
	}
	if !apply.InterruptedSalvage(dir) {
		t.Fatal("the marker is not read as a salvage's")
	}
	code, out, stderr := runCLI(t, "apply", "--profile", dir, "--yes", "--local-time", "1795397988", "--remote-time", "1700007200")
	if code != exitOK {
		t.Fatalf("apply: exit %d: %s%s", code, out, stderr)
	}
	if want := "note: finished an interrupted bmtui salvage"; !strings.Contains(out, want) {
		t.Errorf("apply output lacks %q:\n%s", want, out)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the marker is still there: %v", err)
	}
}
