package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestHistoryScripts runs testdata/script-history: the contract of the
// commands that read a profile's history (timeline, compare, find,
// restore), on profiles Firefox built with dated backups (the generated
// fixtures of internal/testutil; skipped with -short). `history NAME DIR`
// unpacks one: its before/ state with bookmarkbackups/.
func TestHistoryScripts(t *testing.T) {
	fixtures := map[string]string{}
	for _, name := range []string{"history-14"} {
		fixtures[name] = testutil.FixtureDir(t, name)
	}
	shared := testutil.SharedDir(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script-history"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("BMTUI_SHARED", shared)
			env.Setenv("TZ", "UTC")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"unpack": cmdUnpack,
			"exits":  cmdExits,
			"history": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 || fixtures[args[0]] == "" {
					ts.Fatalf("usage: history NAME DIR (NAME one of %v)", fixtures)
				}
				src := filepath.Join(fixtures[args[0]], "before")
				dir := ts.MkAbs(args[1])
				ts.Check(filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					rel, _ := filepath.Rel(src, p)
					if filepath.Ext(rel) == ".gz" {
						return gunzipFile(p, filepath.Join(dir, rel[:len(rel)-3]))
					}
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
						return err
					}
					return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
				}))
			},
		},
	})
}
