package main

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil/history40k"
)

// BenchmarkFind is `bmtui find` end to end on history-40k (large-40k with
// 15 backups: 17 sources, about 660,000 items), cold: every run lists,
// reads, decompresses and parses every source and indexes them anew.
// Profile it with -cpuprofile; -cpu 1,2 shows what the second core buys.
func BenchmarkFind(b *testing.B) {
	dir := history40k.Profile(b)
	start := cpuTime()
	for b.Loop() {
		code := run(context.Background(), []string{"find", "--profile", dir, "--json", "day 3"}, stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
		if code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
	// CPU time is what the other programs on a shared machine change
	// least: wall time is at best this divided by the cores.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
