package main

import (
	"archive/zip"
	"os"
	"runtime"

	"github.com/spf13/pflag"

	"github.com/bmtui/bmtui/internal/heapgoal"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/sqlmem"
)

// tuneMemory sets the process's memory up for a command about to read
// inputBytes of databases: a large input gets its Go heap in huge pages and
// SQLite's page cache in one huge-page buffer, which cut its page faults
// (a third of the CPU time on a virtual machine); a small one keeps the
// default pages, as huge pages would only round its few megabytes up, and
// a tighter collector goal, as the collector's headroom is most of its
// memory (heapgoal).
func tuneMemory(inputBytes int64) {
	if !hugepages.LargeInput(inputBytes) {
		heapgoal.ForSmallInput()
		return
	}
	hugepages.AdviseHeap(hugepages.CommandReach)
	_ = sqlmem.Configure() // if refused, SQLite keeps its own allocator
}

// inputBytes estimates, from a command's flags alone, how much it is about
// to read: the databases of the profile (or support case) and the server
// dump they name. What cannot be found counts nothing; the command itself
// reports it.
func inputBytes(fs *pflag.FlagSet) int64 {
	value := func(name string) string {
		if f := fs.Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	total := fileSize(value("remote"))
	if c := value("case"); c != "" {
		return total + unpackedSize(c)
	}
	if value("demo") == "true" {
		return total
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(value("profile"), value("places"), value("mirror"), home, runtime.GOOS)
	if err != nil {
		return total
	}
	for _, db := range []string{paths.Places, paths.Mirror} {
		if db != "" {
			total += fileSize(db) + fileSize(db+"-wal")
		}
	}
	return total
}

func fileSize(path string) int64 {
	if path == "" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	return fi.Size()
}

// unpackedSize is what a support case's members hold once inflated, as its
// zip directory says; the file's own size if it is no zip.
func unpackedSize(path string) int64 {
	r, err := zip.OpenReader(path)
	if err != nil {
		return fileSize(path)
	}
	defer r.Close()
	var total uint64
	for _, f := range r.File {
		total += f.UncompressedSize64
	}
	return int64(min(total, 1<<62))
}
