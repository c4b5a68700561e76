package tree

import (
	"math/bits"
	"math/rand/v2"

	"github.com/bmtui/bmtui/internal/hugepages"
)

// guidIndex maps GUIDs to node indices. Valid GUIDs are 12 bytes, so the
// table keeps them inline in its slots: a probe compares two words in the
// slot it lands on, where a map[string]int32 follows the key's string
// pointer to a second cache line (the largest cost of building and merging
// large trees). The table is open-addressed with linear probing and never
// deletes. Keys of any other length, which only damaged data has, go to a
// plain map.
type guidIndex struct {
	slots    []guidSlot
	n        int // keys in slots
	seed     [2]uint64
	oddSized map[string]int32
}

// guidSlot holds one 12-byte key; idx is the node index plus one, so the
// zero slot is empty.
type guidSlot struct {
	lo  uint64
	hi  uint32
	idx int32
}

// The table grows when more than 3/4 of its slots are used, and is sized
// for at most 5/8 when the number of keys is known.
const (
	guidIndexMaxLoadNum, guidIndexMaxLoadDen = 3, 4
	guidIndexFillNum, guidIndexFillDen       = 5, 8
)

// processSeed seeds every table of the process alike: drawn once at
// random, so no input collides on purpose, and shared, so that two trees'
// tables order the same GUIDs alike (see Tree.Pair). It is never written
// after package initialisation.
var processSeed = [2]uint64{rand.Uint64() | 1, rand.Uint64()}

func newGUIDIndex(n int) guidIndex {
	x := guidIndex{seed: processSeed}
	x.slots = makeSlots(max(16, n*guidIndexFillDen/guidIndexFillNum))
	return x
}

// guidWords splits a 12-byte GUID into the slot's two key words.
func guidWords(g string) (uint64, uint32) {
	_ = g[11]
	lo := uint64(g[0]) | uint64(g[1])<<8 | uint64(g[2])<<16 | uint64(g[3])<<24 |
		uint64(g[4])<<32 | uint64(g[5])<<40 | uint64(g[6])<<48 | uint64(g[7])<<56
	hi := uint32(g[8]) | uint32(g[9])<<8 | uint32(g[10])<<16 | uint32(g[11])<<24
	return lo, hi
}

// home is the first slot to probe for a key: a seeded multiply-fold hash
// (the seed is random, so no input collides on purpose), reduced to the
// table's size by a multiply instead of a modulo, which keeps the hash's
// order: whatever their sizes, two tables hold the same keys in the same
// order, but for wrap-around and probing.
func (x *guidIndex) home(lo uint64, hi uint32) int {
	h1, h0 := bits.Mul64(lo^x.seed[0], uint64(hi)^x.seed[1])
	h, _ := bits.Mul64(h1^h0, uint64(len(x.slots)))
	return int(h)
}

// get returns the index stored for g.
func (x *guidIndex) get(g string) (int32, bool) {
	if len(g) != 12 {
		i, ok := x.oddSized[g]
		return i, ok
	}
	if len(x.slots) == 0 {
		return 0, false
	}
	lo, hi := guidWords(g)
	return x.getWords(lo, hi)
}

// getWords is get for a 12-byte key already split into words.
func (x *guidIndex) getWords(lo uint64, hi uint32) (int32, bool) {
	for i := x.home(lo, hi); ; {
		s := &x.slots[i]
		if s.idx == 0 {
			return 0, false
		}
		if s.lo == lo && s.hi == hi {
			return s.idx - 1, true
		}
		if i++; i == len(x.slots) {
			i = 0
		}
	}
}

// add stores idx for g unless g is already there, and reports whether it
// stored it.
func (x *guidIndex) add(g string, idx int32) bool {
	if len(g) != 12 {
		if _, ok := x.oddSized[g]; ok {
			return false
		}
		if x.oddSized == nil {
			x.oddSized = make(map[string]int32)
		}
		x.oddSized[g] = idx
		return true
	}
	if (x.n+1)*guidIndexMaxLoadDen > len(x.slots)*guidIndexMaxLoadNum {
		x.grow()
	}
	lo, hi := guidWords(g)
	for i := x.home(lo, hi); ; {
		s := &x.slots[i]
		if s.idx == 0 {
			*s = guidSlot{lo: lo, hi: hi, idx: idx + 1}
			x.n++
			return true
		}
		if s.lo == lo && s.hi == hi {
			return false
		}
		if i++; i == len(x.slots) {
			i = 0
		}
	}
}

func (x *guidIndex) grow() {
	old := x.slots
	x.slots = makeSlots(2 * len(old))
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		i := x.home(s.lo, s.hi)
		for x.slots[i].idx != 0 {
			if i++; i == len(x.slots) {
				i = 0
			}
		}
		x.slots[i] = s
	}
}

// makeSlots allocates a table in huge pages where it is large: its slots
// are written and read at random.
func makeSlots(n int) []guidSlot { return hugepages.Make[guidSlot](n, n) }
