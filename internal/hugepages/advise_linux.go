package hugepages

import (
	"syscall"
	"unsafe"
)

const madvHugePage = 14 // MADV_HUGEPAGE, which package syscall does not name

func advise(p unsafe.Pointer, size uintptr) {
	start, end := inside(uintptr(p), size)
	if end > start {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugePage)
	}
}
