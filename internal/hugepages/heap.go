package hugepages

import (
	"bytes"
	"runtime/debug"
	"strconv"
	"unsafe"
)

// CommandReach is how much of the Go heap a bmtui command advises: about
// three times what one uses on a 100,000-bookmark profile. The runtime
// writes its page map for all of it (a megabyte of metadata per
// gigabyte), so more costs every command's start; mergebench, which builds
// trees of a million items, asks for more.
const CommandReach = 1 << 30

// largeInputBytes is where huge pages start to pay: about 20,000 bookmarks
// in Places and the mirror, or 13,000 per side in mergebench's JSON.
// Below it a process's heap is a few tens of megabytes that 2 MB pages
// round up (by 5-7 MB at 10,000 items) and do not make faster.
const largeInputBytes = 16 << 20

// LargeInput reports whether a process about to read inputBytes should
// advise its heap.
func LargeInput(inputBytes int64) bool { return inputBytes >= largeInputBytes }

// AdviseHeap backs the Go heap's next reach bytes with huge pages, for a
// process that is about to fill them. The runtime leaves its heap in 4 KB
// pages; on a virtual machine each first touch of one costs tens of µs, a
// third of a bmtui command's CPU time before this. It maps that much
// address space by allocating an array nothing touches (fresh memory from
// the kernel needs no clearing), advises it and hands it back at once:
// the runtime keeps the mapping, and with it the advice, for what it
// allocates next. Resident memory grows only as the heap does.
//
// Call it once, first thing in main. It does nothing where the kernel
// would ignore the advice, on 32-bit systems, or where the kernel counts
// mapped memory strictly against a limit (overcommit_memory 2, or a limit
// on the address space); it maps at most a quarter of the machine's memory.
func AdviseHeap(reach uintptr) {
	adviseHeap(heapSize(reach))
}

func adviseHeap(size uintptr) {
	if size < 2*Size || unsafe.Sizeof(uintptr(0)) < 8 {
		return
	}
	reach := make([]byte, size)
	advise(unsafe.Pointer(unsafe.SliceData(reach)), size)
	// The array is garbage now; returning it to the kernel (never touched,
	// so this costs one call) spares the background scavenger the work.
	debug.FreeOSMemory()
}

// memTotal reads MemTotal from /proc/meminfo's text, in bytes; 0 if absent.
func memTotal(meminfo []byte) uintptr {
	for line := range bytes.Lines(meminfo) {
		rest, ok := bytes.CutPrefix(line, []byte("MemTotal:"))
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
		if err != nil {
			return 0
		}
		return uintptr(kb) << 10
	}
	return 0
}
