package hugepages

import (
	"bytes"
	"os"
	"syscall"
	"unsafe"
)

const (
	madvHugePage = 14 // MADV_HUGEPAGE, which package syscall does not name
	rlimInfinity = ^uint64(0)
)

func advise(p unsafe.Pointer, size uintptr) {
	start, end := inside(uintptr(p), size)
	if end > start {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugePage)
	}
}

// heapSize is how much of the heap AdviseHeap may map here: want, capped at
// a quarter of the machine's memory; nothing where the advice would be
// ignored or the mapping counted against a strict commit limit.
func heapSize(want uintptr) uintptr {
	if thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil || bytes.Contains(thp, []byte("[never]")) {
		return 0
	}
	if mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || string(bytes.TrimSpace(mode)) == "2" {
		return 0
	}
	var as syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &as); err != nil || as.Cur != rlimInfinity {
		return 0 // mapping more could fail, and the runtime cannot recover from that
	}
	meminfo, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return min(want, memTotal(meminfo)/4)
}
