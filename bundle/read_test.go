package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallTables are one small table of each database's (the reader builds
// the SQLite files; it does not read them as bookmarks: internal/load
// does).
func smallTables(t testing.TB) *Staged {
	t.Helper()
	enc := func(tb *Tables) []byte {
		var b bytes.Buffer
		if err := tb.Encode(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	return &Staged{
		Places: enc(&Tables{UserVersion: 86, Tables: []Table{{
			Name: "moz_meta", Create: "CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID",
			Columns: []string{"key", "value"}, Rows: [][]any{{"sync/bookmarks/syncid", "places bytes"}, {"n", int64(-3)}, {"f", 1.5}, {"b", []byte{0, 1}}},
		}}}),
		Mirror: enc(&Tables{UserVersion: 3, Tables: []Table{{
			Name: "meta", Create: "CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID",
			Columns: []string{"key", "value"}, Rows: [][]any{{"collection/lastModified", "mirror bytes"}},
		}}}),
	}
}

// packed writes a bundle of smallTables and returns its bytes.
func packed(t testing.TB, m Manifest) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "case.zip")
	if err := Pack(out, false, m, map[string][]byte{ReportName: []byte(`{"problems":0}`)}, smallTables(t)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goodManifest() Manifest {
	at := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	return Manifest{Bmtui: "bmtui test", Created: at, Clocks: Clocks{Local: at, Remote: at}, Mirror: true}
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "case.zip")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A bundle of version 1 (SQLite files as members) is still read.
func TestOpenVersion1(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		ManifestName: `{"format":"bmtui-bundle","version":1,"clocks":{"local":"2026-12-05T06:00:00Z","remote":"2026-12-05T06:00:00Z"},"mirror":true}`,
		PlacesName:   "places bytes", MirrorName: "mirror bytes",
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	c, err := Open(writeFile(t, b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, _ := os.ReadFile(c.PlacesPath()); string(got) != "places bytes" {
		t.Errorf("places.sqlite = %q", got)
	}
	if got, _ := os.ReadFile(c.MirrorPath()); string(got) != "mirror bytes" {
		t.Errorf("mirror = %q", got)
	}
}

func TestOpenRoundTrip(t *testing.T) {
	c, err := Open(writeFile(t, packed(t, goodManifest())))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, f := range []struct{ path, table, want string }{
		{c.PlacesPath(), "moz_meta", `86 b="\x00\x01" f=1.5 n=-3 sync/bookmarks/syncid=places bytes`},
		{c.MirrorPath(), "meta", "3 collection/lastModified=mirror bytes"},
	} {
		if got := dump(t, f.path, f.table); got != f.want {
			t.Errorf("%s = %q, want %q", f.path, got, f.want)
		}
	}
	if got := string(c.Member(ReportName)); got != `{"problems":0}` {
		t.Errorf("report = %q", got)
	}
	if c.Manifest.Doctor != "" || c.Member(DoctorName) != nil {
		t.Errorf("a doctor report appeared: %q", c.Manifest.Doctor)
	}
	dir := c.Dir
	c.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s", dir)
	}
}

func TestPackRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	staged := smallTables(t)
	staged.Mirror = nil
	out := filepath.Join(dir, "case.zip")
	os.WriteFile(out, []byte("precious"), 0o600)
	m := goodManifest()
	m.Mirror = false
	err := Pack(out, false, m, nil, staged)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Pack over an existing file: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Fatalf("the existing file changed: %q", b)
	}
	if err := Pack(out, true, m, nil, staged); err != nil {
		t.Fatalf("Pack with force: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".case.zip.tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// Bad input gives one line naming the file and what is wrong with it.
func TestOpenBadInput(t *testing.T) {
	good := packed(t, goodManifest())
	zipWith := func(files map[string]string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, body := range files {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		zw.Close()
		return b.Bytes()
	}
	manifest := func(version int) string {
		return `{"format":"bmtui-bundle","version":` + string(rune('0'+version)) +
			`,"clocks":{"local":"2026-12-05T06:00:00Z","remote":"2026-12-05T06:00:00Z"},"mirror":false}`
	}
	corrupt := bytes.Clone(good)
	i := bytes.Index(corrupt, []byte(PlacesRows))
	corrupt[i+len(PlacesRows)+2] ^= 0xff // inside the deflated places rows

	for _, tc := range []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotBundle, "not a zip file"},
		{"text", []byte("hello, this is not a bundle\n"), ErrNotBundle, "not a zip file"},
		{"truncated", good[:len(good)/2], ErrNotBundle, "truncated"},
		{"sqlite", append([]byte("SQLite format 3\x00"), make([]byte, 4080)...), ErrNotBundle, "not a zip file"},
		{"zip without manifest", zipWith(map[string]string{"a.txt": "x"}), ErrNotBundle, "no manifest.json"},
		{"manifest not JSON", zipWith(map[string]string{ManifestName: "{"}), ErrNotBundle, "not JSON"},
		{"other format", zipWith(map[string]string{ManifestName: `{"format":"something"}`}), ErrNotBundle, `"something"`},
		{"newer version", zipWith(map[string]string{ManifestName: manifest(3)}), ErrVersion, "version 3: this bmtui reads versions 1 to 2"},
		{"version 0", zipWith(map[string]string{ManifestName: manifest(0)}), ErrVersion, "version 0: this bmtui reads versions 1 to 2"},
		{"no clocks", zipWith(map[string]string{ManifestName: `{"format":"bmtui-bundle","version":1}`}), ErrDamaged, "no clocks"},
		{"no places", zipWith(map[string]string{ManifestName: manifest(1)}), ErrDamaged, "places.sqlite is missing"},
		{"no places rows", zipWith(map[string]string{ManifestName: manifest(2), PlacesName: "x"}), ErrDamaged, "places.rows is missing"},
		{"rows not rows", zipWith(map[string]string{ManifestName: manifest(2), PlacesRows: "SQLite format 3\x00"}), ErrDamaged, "places.rows: damaged bundle: not rows"},
		{"hostile table", zipWith(map[string]string{ManifestName: manifest(2), PlacesRows: string(encoded(t, &Tables{Tables: []Table{
			{Name: "moz_meta", Create: "CREATE TABLE moz_meta (key, value CHECK (length(zeroblob(1000000000))))", Columns: []string{"key", "value"}}}}))}),
			ErrDamaged, "CHECK is not allowed"},
		{"corrupt member", corrupt, ErrDamaged, "places.rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.data)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			c, err := Open(path)
			if err == nil {
				c.Close()
				t.Fatal("opened")
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("a failed open left %s behind in the temporary folder", left[0].Name())
			}
			msg := err.Error()
			if !errors.Is(err, tc.want) || !strings.Contains(msg, tc.text) || !strings.HasPrefix(msg, "case "+path+": ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line naming the file, matching %v and saying %q", msg, tc.want, tc.text)
			}
		})
	}
	t.Run("folder", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := Open(dir); !errors.Is(err, ErrNotBundle) {
			t.Errorf("a folder: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := Open(filepath.Join(t.TempDir(), "nope.zip")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a missing file: %v", err)
		}
	})
}

// FuzzRead: any bytes give a case or an error matching one of the
// reader's errors, never a panic, and a case always has its places file.
func FuzzRead(f *testing.F) {
	good := packed(f, goodManifest())
	f.Add(good)
	f.Add(good[:len(good)-10])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrNotBundle) && !errors.Is(err, ErrVersion) && !errors.Is(err, ErrDamaged) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on several lines: %q", err)
			}
			return
		}
		defer c.Close()
		if _, err := os.Stat(c.PlacesPath()); err != nil {
			t.Fatalf("a case without places.sqlite: %v", err)
		}
	})
}
