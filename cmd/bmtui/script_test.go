package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/internal/testutil/dumptest"
)

// TestMain lets the test binary run as bmtui inside the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"bmtui": main})
}

// TestScripts runs the command-line contract in testdata/script: every
// command's output and exit code, as a user's shell sees them.
func TestScripts(t *testing.T) {
	shared := testutil.SharedDir(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("BMTUI_SHARED", shared)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"dump":      cmdDump,
			"unpack":    cmdUnpack,
			"damaged":   cmdUnpackDamaged,
			"exits":     cmdExits,
			"samebytes": cmdSameBytes,
			"zipfiles":  cmdZipFiles,
		},
	})
}

// cmdUnpack is `unpack SCENARIO/STATE DIR`: a shared profile fixture,
// gunzipped into DIR (places.sqlite and weave/bookmarks.sqlite).
func cmdUnpack(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unpack SCENARIO/STATE DIR")
	}
	src := filepath.Join(ts.Getenv("BMTUI_SHARED"), "fixtures", "profiles", filepath.FromSlash(args[0]))
	dir := ts.MkAbs(args[1])
	for _, name := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
		ts.Check(gunzipFile(src+string(filepath.Separator)+name+".gz", filepath.Join(dir, name)))
	}
}

// cmdUnpackDamaged is `damaged CASE DIR`: a damaged profile of
// ../shared/fixtures/damaged, every file gunzipped into DIR.
func cmdUnpackDamaged(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: damaged CASE DIR")
	}
	src := filepath.Join(ts.Getenv("BMTUI_SHARED"), "fixtures", "damaged", args[0], "profile")
	dir := ts.MkAbs(args[1])
	ts.Check(filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return gunzipFile(p, filepath.Join(dir, strings.TrimSuffix(rel, ".gz")))
	}))
}

func gunzipFile(src, dst string) error {
	in, err := testutil.OpenMaybeGzip(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("gunzip %s: %w", src, err)
	}
	return out.Close()
}

// cmdDump is `dump SCENARIO/STATE DIR`: the records of a
// shared profile's mirror as the server would hold them, encrypted, in
// DIR: bookmarks.json (raw BSOs), crypto-keys.json and key.txt (kB)
// (dumptest.EncryptMirror).
func cmdDump(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dump SCENARIO/STATE DIR")
	}
	tmp, err := os.MkdirTemp("", "bmtui-dump-")
	ts.Check(err)
	defer os.RemoveAll(tmp)
	mirror := filepath.Join(tmp, "bookmarks.sqlite")
	ts.Check(gunzipFile(filepath.Join(ts.Getenv("BMTUI_SHARED"), "fixtures", "profiles", filepath.FromSlash(args[0]), "weave", "bookmarks.sqlite.gz"), mirror))
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	_, _, _, err = dumptest.EncryptMirror(mirror, dir)
	ts.Check(err)
}

// cmdExits is `exits CODE PROGRAM [ARGS...]`: exec, expecting exit code
// CODE; stdout and stderr are kept for the commands that follow.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("exits: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdSameBytes is `samebytes FILE1 FILE2`: the two files are identical
// (with !, they differ). Unlike cmp it names the first differing byte
// rather than printing a diff of two databases.
func cmdSameBytes(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: samebytes FILE1 FILE2")
	}
	a, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	b, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	at := firstDifference(a, b)
	switch {
	case at < 0 && neg:
		ts.Fatalf("%s and %s are identical", args[0], args[1])
	case at >= 0 && !neg:
		ts.Fatalf("%s and %s differ from byte %d on (%d and %d bytes)", args[0], args[1], at, len(a), len(b))
	}
}

// firstDifference is the offset of the first byte where a and b differ,
// or -1 if they are equal.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
