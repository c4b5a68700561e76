package main

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command tells main how much it is about to read, from its flags,
// before it reads anything; main sizes the process's memory by it.
func TestInputBytesReachMain(t *testing.T) {
	profile := t.TempDir()
	writeSized(t, filepath.Join(profile, "places.sqlite"), 3000)
	writeSized(t, filepath.Join(profile, "places.sqlite-wal"), 200)
	writeSized(t, filepath.Join(profile, "weave", "bookmarks.sqlite"), 1000)
	unsynced := t.TempDir()
	writeSized(t, filepath.Join(unsynced, "places.sqlite"), 700)
	dump := filepath.Join(t.TempDir(), "dump.json")
	writeSized(t, dump, 50)
	caseFile := filepath.Join(t.TempDir(), "case.zip")
	f, err := os.Create(caseFile)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, size := range map[string]int{"places.rows": 40000, "mirror.rows": 2000} {
		w, _ := zw.Create(name)
		w.Write(make([]byte, size)) // zeros deflate to far less than they unpack to
	}
	zw.Close()
	f.Close()

	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{"validate", "--profile", profile}, 4200},
		{[]string{"merge", "--profile", profile, "--remote", dump}, 4250},
		{[]string{"--profile", unsynced}, 700},
		{[]string{"validate", "--places", filepath.Join(profile, "places.sqlite")}, 3200},
		{[]string{"validate", "--case", caseFile}, 42000},
		{[]string{"validate", "--demo"}, 0},
		{[]string{"validate", "--profile", filepath.Join(profile, "missing")}, 0},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got := int64(-1)
			run(context.Background(), tc.args, stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard,
				tuneMemory: func(n int64) { got = n }})
			if got != tc.want {
				t.Errorf("told main %d bytes, want %d", got, tc.want)
			}
		})
	}
}

func writeSized(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
}
