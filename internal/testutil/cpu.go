package testutil

import (
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// CPUTime is the process's CPU time so far (user and system).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU starts counting the process's CPU time; the function it
// returns reports it per operation (cpu-ms/op). On a shared machine it
// varies far less than the wall time.
func ReportCPU(b *testing.B) func() {
	start := CPUTime()
	return func() { b.ReportMetric(float64((CPUTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op") }
}

// EditedCopy writes image to a new database file name in a temporary
// folder, lets edit change it through database/sql, and returns its path
// once closed: the fuzzers' way to derive odd databases from a good one.
// The caller registers the "sqlite" driver (modernc.org/sqlite).
func EditedCopy(t testing.TB, image []byte, name string, edit func(db *sql.DB)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, image, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	edit(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
