package merge

import (
	"testing"
	"unsafe"
)

// A merged node fills one cache line of the merger's slab on 64-bit
// machines; a new field in the wrong place makes it straddle two.
func TestNodeFitsCacheLine(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("64-bit layout only")
	}
	if got := unsafe.Sizeof(Node{}); got != 64 {
		t.Errorf("merge.Node is %d bytes, want 64", got)
	}
}
