// Package hugepages asks the kernel to back large, freshly allocated
// arrays with transparent huge pages where the system leaves that to
// madvise (the common default). Building and merging large trees
// touches big node arrays and hash tables once each, much of it at
// random: in 4 KB pages that is one page fault per 4 KB (about 34 µs
// each on a paravirtualised VM) and a TLB miss on almost every random
// access once a table outgrows the TLB's reach, which made the cost grow
// faster than n log n. In 2 MB pages both nearly vanish.
//
// It is only a hint: nothing fails when the kernel ignores it, and the
// memory stays the Go heap's, freed by the collector as usual.
package hugepages

import "unsafe"

// Size is the huge page size of x86-64 and of arm64 with 4 KB pages.
const Size = 2 << 20

// Make is make([]T, n, c), with the whole huge pages inside the array
// advised. Arrays smaller than two huge pages are left alone: they
// would gain little and could cost up to a huge page of memory each.
func Make[T any](n, c int) []T {
	s := make([]T, n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size >= 2*Size {
		advise(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}

// inside is the part of [p, p+size) made of whole huge pages.
func inside(p, size uintptr) (start, end uintptr) {
	start = (p + Size - 1) &^ (Size - 1)
	end = (p + size) &^ (Size - 1)
	if end < start {
		end = start
	}
	return start, end
}

// pageSize is the smallest page size of the systems bmtui runs on.
const pageSize = 4096

// MakeWritten is Make with every page of the array written at once, for
// an array of pointers that will be filled to its capacity. Were it
// first filled while a garbage collection runs, the collector would read
// it first, which maps each page to the kernel's zero page, and the
// writes after would fault each page a second time (and flush it from
// every core's TLB): on a virtual machine that costs more than the
// first fault.
func MakeWritten[T any](n, c int) []T {
	s := Make[T](n, c)
	var zero T
	if size := uintptr(c) * unsafe.Sizeof(zero); size > 0 {
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), size)
		for i := 0; i < len(b); i += pageSize {
			b[i] = 0 // the array is all zero: this changes nothing but the mapping
		}
	}
	return s
}
