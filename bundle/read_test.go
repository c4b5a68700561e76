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

// packed writes a bundle of two small stand-in files (the reader does not
// look inside the databases; internal/load does) and returns its bytes.
func packed(t testing.TB, m Manifest) []byte {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "weave"), 0o700)
	os.WriteFile(filepath.Join(dir, PlacesName), []byte("places bytes"), 0o600)
	os.WriteFile(filepath.Join(dir, "weave", "bookmarks.sqlite"), []byte("mirror bytes"), 0o600)
	out := filepath.Join(t.TempDir(), "case.zip")
	if err := Pack(out, false, m, map[string][]byte{ReportName: []byte(`{"problems":0}`)}, dir); err != nil {
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

func TestOpenRoundTrip(t *testing.T) {
	c, err := Open(writeFile(t, packed(t, goodManifest())))
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
	os.WriteFile(filepath.Join(dir, PlacesName), []byte("x"), 0o600)
	out := filepath.Join(t.TempDir(), "case.zip")
	os.WriteFile(out, []byte("precious"), 0o600)
	m := goodManifest()
	m.Mirror = false
	err := Pack(out, false, m, nil, dir)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("Pack over an existing file: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Fatalf("the existing file changed: %q", b)
	}
	if err := Pack(out, true, m, nil, dir); err != nil {
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
	i := bytes.Index(corrupt, []byte("places.sqlite"))
	corrupt[i+len("places.sqlite")+2] ^= 0xff // inside the deflated places bytes

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
		{"newer version", zipWith(map[string]string{ManifestName: manifest(2)}), ErrVersion, "version 2: this bmtui reads version 1"},
		{"no clocks", zipWith(map[string]string{ManifestName: `{"format":"bmtui-bundle","version":1}`}), ErrDamaged, "no clocks"},
		{"no places", zipWith(map[string]string{ManifestName: manifest(1)}), ErrDamaged, "places.sqlite is missing"},
		{"corrupt member", corrupt, ErrDamaged, "places.sqlite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.data)
			c, err := Open(path)
			if err == nil {
				c.Close()
				t.Fatal("opened")
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
