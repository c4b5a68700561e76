package sqlmem

import (
	"bytes"
	"os"
	"syscall"
	"unsafe"
)

const madvHugePage = 14 // MADV_HUGEPAGE, which package syscall does not name

// hugePagesAvailable tells whether the kernel honours MADV_HUGEPAGE.
func hugePagesAvailable() bool {
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && !bytes.Contains(thp, []byte("[never]"))
}

// mapBuffer maps size bytes of anonymous memory advised for huge pages,
// starting on a huge page boundary; nil where the kernel would ignore the
// advice or the mapping fails.
func mapBuffer(size int) []byte {
	if !hugePagesAvailable() {
		return nil
	}
	size = (size + hugePage - 1) &^ (hugePage - 1)
	m, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(m))) & (hugePage - 1))
	buf := m[skip : skip+size : skip+size]
	if err := syscall.Madvise(buf, madvHugePage); err != nil {
		_ = syscall.Munmap(m)
		return nil
	}
	return buf
}

// unmapBuffer returns a buffer SQLite refused; the unaligned pages around
// it stay mapped, never touched. (syscall.Munmap takes only whole
// mappings it made, so the system call is made directly.)
func unmapBuffer(buf []byte) {
	_, _, _ = syscall.Syscall(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(len(buf)), 0)
}
