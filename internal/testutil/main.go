package testutil

import (
	"os"
	"testing"

	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/sqlmem"
)

// MainAsBmtui runs a package's tests and benchmarks in a process set up as
// bmtui's main sets up its own (the heap and SQLite's page cache backed by
// huge pages), so that a benchmark measures what a user's process does.
// Call it from TestMain.
func MainAsBmtui(m *testing.M) {
	hugepages.AdviseHeap(hugepages.CommandReach)
	_ = sqlmem.Configure() // if refused, SQLite keeps its own allocator
	os.Exit(m.Run())
}
