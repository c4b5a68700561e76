package tree

import "unsafe"

// touchPages writes a zero byte into each page of s's backing array, up to
// its capacity. A large allocation may come straight from the OS; when the
// garbage collector scans it, or a hash probe reads it, before anything is
// written there, the kernel maps the shared zero page, and the write that
// follows costs a copy-on-write fault and a TLB flush on every core the
// process runs on. Writing first costs one plain fault per page, and next
// to nothing when the pages are already mapped. The bytes written are
// zero already, so no value changes; call it only on memory nothing has
// written yet.
func touchPages[T any](s []T) {
	const page = 4096 // the smallest page size Go runs with on 64-bit systems
	if cap(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	size := uintptr(cap(s)) * unsafe.Sizeof(*new(T))
	for off := uintptr(0); off < size; off += page {
		*(*byte)(unsafe.Add(p, off)) = 0
	}
}
