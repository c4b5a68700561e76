// Package heapgoal sets the garbage collector's goal for the size of what
// a process is about to read. bmtui and its timing harness call it alike.
package heapgoal

import (
	"os"
	"runtime/debug"
)

// SmallInputPercent is the collector's goal (GOGC) for a small input:
// the heap may grow to 1.75 times what the last collection found live,
// instead of Go's twice. Below hugepages' large-input size the live heap
// is a few megabytes and that headroom is most of the process's memory
// (mergebench at 10,000 bookmarks a side: 5 MB live, heap peaks of 17-20
// MB). The more frequent collections cost that run about a sixth more
// CPU, a millisecond or two per build and merge, for 3-4 MB less peak
// memory (README, Performance).
const SmallInputPercent = 75

// percent is the goal ForSmallInput sets: none (0) when the user chose
// one with GOGC, which wins.
func percent(gogcSet bool) int {
	if gogcSet {
		return 0
	}
	return SmallInputPercent
}

// ForSmallInput sets SmallInputPercent, unless GOGC is set. Call it once,
// first thing in main, for a process whose input is not large
// (hugepages.LargeInput).
func ForSmallInput() {
	_, set := os.LookupEnv("GOGC")
	if p := percent(set); p > 0 {
		debug.SetGCPercent(p)
	}
}
