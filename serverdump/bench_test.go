package serverdump_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/internal/testutil/dumptest"
	"github.com/bmtui/bmtui/serverdump"
	"github.com/bmtui/bmtui/sync/mirror"
)

// BenchmarkLoad40k reads large-40k's mirror as an encrypted dump of
// 42,717 records: parse, verify and decrypt, store, build the tree and
// validate it (what `bmtui validate --remote` costs), with one core and
// with all of them.
func BenchmarkLoad40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	ms, err := mirror.OpenSource(dir)
	if err != nil {
		b.Fatal(err)
	}
	items, err := ms.DB().Items()
	if err != nil {
		b.Fatal(err)
	}
	structure, err := ms.DB().Structure()
	if err != nil {
		b.Fatal(err)
	}
	last := ms.DB().LastModified()
	ms.Close()
	recs, err := dumptest.MirrorRecords(items, structure)
	if err != nil {
		b.Fatal(err)
	}
	dump, keyFile, cryptoKeys, err := dumptest.EncryptDump(b.TempDir(), recs)
	if err != nil {
		b.Fatal(err)
	}
	opt := serverdump.Options{Keys: serverdump.Keys{Key: readFile(b, keyFile), CryptoKeys: readFile(b, cryptoKeys)}, LastSync: last}
	clock := time.UnixMilli(1700007300000)
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			cpu0 := testutil.CPUTime()
			for b.Loop() {
				s, err := serverdump.Open(dump, opt)
				if err != nil {
					b.Fatal(err)
				}
				r, err := s.Load(clock)
				if err != nil || r.Tree.Len() < 40000 {
					b.Fatalf("%v", err)
				}
			}
			// CPU time as well as wall time: on a shared machine the
			// wall time says more about the neighbours.
			b.ReportMetric(float64((testutil.CPUTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkMirror40k is the baseline: the same tree from the mirror
// itself (snapshot, read, build, validate).
func BenchmarkMirror40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	clock := time.UnixMilli(1700007300000)
	cpu0 := testutil.CPUTime()
	for b.Loop() {
		ms, err := mirror.OpenSource(dir)
		if err != nil {
			b.Fatal(err)
		}
		r, err := ms.Load(clock)
		if err != nil || r.Tree.Len() < 40000 {
			b.Fatalf("%v", err)
		}
		ms.Close()
	}
	b.ReportMetric(float64((testutil.CPUTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
