package merge

import "unsafe"

// touchPages writes a zero byte into each page of a freshly allocated
// s's backing array, up to its capacity, so that the kernel maps each page
// by a plain fault rather than the shared zero page followed by a
// copy-on-write fault and a TLB flush across cores (see the same function in
// sync/tree). Only for memory that is still all zero.
func touchPages[T any](s []T) {
	const page = 4096
	if cap(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	size := uintptr(cap(s)) * unsafe.Sizeof(*new(T))
	for off := uintptr(0); off < size; off += page {
		*(*byte)(unsafe.Add(p, off)) = 0
	}
}
