//go:build !linux

package hugepages

import "unsafe"

func advise(unsafe.Pointer, uintptr) {}

func heapSize(uintptr) uintptr { return 0 }
