package hugepages

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestMemTotal(t *testing.T) {
	for _, c := range []struct {
		meminfo string
		want    uintptr
	}{
		{"MemTotal:       24567808 kB\nMemFree:        22000000 kB\n", 24567808 << 10},
		{"MemFree: 1 kB\nMemTotal: 2048 kB\n", 2048 << 10},
		{"MemFree: 1 kB\n", 0},
		{"MemTotal: lots kB\n", 0},
		{"", 0},
	} {
		if got := memTotal([]byte(c.meminfo)); got != c.want {
			t.Errorf("memTotal(%q) = %d, want %d", c.meminfo, got, c.want)
		}
	}
}

// TestAdviseHeapReachesLaterArrays checks the point of AdviseHeap: an array
// allocated after it lies in memory the kernel backs with huge pages.
func TestAdviseHeapReachesLaterArrays(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge page advice is Linux's")
	}
	if heapSize(CommandReach) == 0 {
		t.Skip("this kernel ignores the advice or counts mappings strictly")
	}
	adviseHeap(256 << 20)
	later := make([]byte, 32<<20) // no free run this long but the advised one
	// Its middle: its first huge page may lie before the advised, aligned part.
	flags, err := MappingFlags(uintptr(unsafe.Pointer(&later[len(later)/2])))
	runtime.KeepAlive(later)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping of an array allocated after AdviseHeap has flags %q, want hg (MADV_HUGEPAGE) among them", flags)
	}
}
