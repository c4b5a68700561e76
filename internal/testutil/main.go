package testutil

import (
	"os"
	"testing"

	"github.com/bmtui/bmtui/internal/hugepages"
)

// MainAsBmtui runs a package's tests and benchmarks in a process set up as
// bmtui's main sets up its own (the heap backed by huge pages), so that a
// benchmark measures what a user's process does. Call it from TestMain.
func MainAsBmtui(m *testing.M) {
	hugepages.AdviseHeap()
	os.Exit(m.Run())
}
