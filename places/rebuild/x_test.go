package rebuild

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestXWrite(t *testing.T) {
	if os.Getenv("XW") == "" {
		t.Skip()
	}
	b := &testing.B{}
	_ = b
	orig := filepath.Join(t.TempDir(), "places.sqlite")
	gunzipTo(t, "/work/shared/fixtures/profiles/large-40k/before/places.sqlite.gz", orig)
	db := readDatabase(t, orig)
	p, err := Prepare(db, testNow)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var cpu, wall [2]time.Duration
	for i := 0; i < 12; i++ {
		v := i % 2
		path := filepath.Join(dir, "p.sqlite")
		c0, w0 := cpuT(), time.Now()
		var err error
		if v == 1 {
			err = writeTables(context.Background(), path, p.t)
		} else {
			err = xWriteTables(context.Background(), path, p.t)
		}
		if err != nil {
			t.Fatal(err)
		}
		cpu[v] += cpuT() - c0
		wall[v] += time.Since(w0)
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
	}
	t.Logf("A cpu %v wall %v; B cpu %v wall %v", cpu[0]/6, wall[0]/6, cpu[1]/6, wall[1]/6)
}

func cpuT() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
