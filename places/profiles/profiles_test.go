package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDefault(t *testing.T) {
	abs := t.TempDir()
	tests := []struct {
		name    string
		goos    string
		ini     string   // profiles.ini under the OS's first search dir
		iniDir  string   // overrides where profiles.ini goes (relative to home)
		places  []string // profile paths (relative to the ini dir) that get a places.sqlite
		want    string   // relative to the ini dir; "" means ErrNoProfile
		wantAbs string
	}{
		{
			name: "install section wins over Default=1",
			goos: "linux",
			ini: "[Profile1]\nName=default\nIsRelative=1\nPath=abc.default\nDefault=1\n\n" +
				"[Profile0]\nName=default-release\nIsRelative=1\nPath=xyz.default-release\n\n" +
				"[Install4F96D1932A9F858E]\nDefault=xyz.default-release\nLocked=1\n",
			places: []string{"abc.default", "xyz.default-release"},
			want:   "xyz.default-release",
		},
		{
			name:   "Default=1 without install section",
			goos:   "linux",
			ini:    "[Profile0]\nName=a\nPath=a.one\n\n[Profile1]\nName=b\nPath=b.two\nDefault=1\n",
			places: []string{"a.one", "b.two"},
			want:   "b.two",
		},
		{
			name:   "single profile without default mark",
			goos:   "linux",
			ini:    "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=only\nIsRelative=1\nPath=only.p\n",
			places: []string{"only.p"},
			want:   "only.p",
		},
		{
			name:    "absolute path",
			goos:    "linux",
			ini:     "[Profile0]\nName=abs\nIsRelative=0\nPath=" + filepath.Join(abs, "elsewhere") + "\nDefault=1\n",
			wantAbs: filepath.Join(abs, "elsewhere"),
		},
		{
			name:   "snap location",
			goos:   "linux",
			iniDir: "snap/firefox/common/.mozilla/firefox",
			ini:    "[Profile0]\nName=s\nPath=s.snap\nDefault=1\n",
			places: []string{"s.snap"},
			want:   "s.snap",
		},
		{
			name:   "macOS location",
			goos:   "darwin",
			iniDir: "Library/Application Support/Firefox",
			ini:    "[Profile0]\nName=m\nPath=Profiles/m.default\nDefault=1\n",
			places: []string{"Profiles/m.default"},
			want:   "Profiles/m.default",
		},
		{
			name: "default profile without places.sqlite",
			goos: "linux",
			ini:  "[Profile0]\nName=e\nPath=empty\nDefault=1\n",
		},
		{name: "no firefox at all", goos: "linux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			dir := SearchDirs(home, tt.goos)[0]
			if tt.iniDir != "" {
				dir = filepath.Join(home, filepath.FromSlash(tt.iniDir))
			}
			if tt.ini != "" {
				writeFile(t, filepath.Join(dir, "profiles.ini"), tt.ini)
			}
			for _, p := range tt.places {
				writeFile(t, filepath.Join(dir, filepath.FromSlash(p), "places.sqlite"), "x")
			}
			if tt.wantAbs != "" {
				writeFile(t, filepath.Join(tt.wantAbs, "places.sqlite"), "x")
			}
			got, err := Default(home, tt.goos)
			want := tt.wantAbs
			if tt.want != "" {
				want = filepath.Join(dir, filepath.FromSlash(tt.want))
			}
			if want == "" {
				if !errors.Is(err, ErrNoProfile) {
					t.Fatalf("got %q, %v; want ErrNoProfile", got, err)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("got %q, %v; want %q", got, err, want)
			}
		})
	}
}
