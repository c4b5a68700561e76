package main

import (
	"archive/zip"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdZipFiles is `zipfiles OUT NAME...`: a zip of the named files of the
// work folder, each under its name (a hand-made bundle, without the zip
// tool).
func cmdZipFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: zipfiles OUT NAME...")
	}
	out, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	zw := zip.NewWriter(out)
	for _, name := range args[1:] {
		b, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		w, err := zw.Create(name)
		ts.Check(err)
		_, err = w.Write(b)
		ts.Check(err)
	}
	ts.Check(zw.Close())
	ts.Check(out.Close())
}
