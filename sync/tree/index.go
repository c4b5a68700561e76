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
	n        int // keys in slots and in pending
	seed     [2]uint64
	oddSized map[string]int32

	// Large tables defer inserts: a key with either of its two bits in
	// seen clear is new for sure, so it waits in pending and is inserted
	// with the next few, whose slots are then read all at once
	// (independent cache misses overlap; one after the other each costs a
	// trip to memory). A key with both set may be a duplicate: pending is
	// inserted first, its slot read with theirs, and the key probed as
	// usual. seen is nil for small tables, which stay in the caches. A
	// lookup inserts pending first.
	seen    []uint64
	pending []guidSlot
	homes   []int // pending[k]'s home slot, worked out when it was added
	touched int32 // what the batched reads found; kept so they are not optimised away
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

// Tables sized for deferredFrom keys or more defer their inserts (a 6 MB
// table, beyond the caches of one core). seenBitsPerKey sizes their
// filter: 4 bits a key keeps it within a core's L2 cache (512 KB at 1M
// keys), at the price of a batch cut short by up to one new key in six
// (16 bits a key, 2 MB, missed the cache as often as the table did).
const (
	deferredFrom   = 1 << 18
	seenBitsPerKey = 4
	pendingBatch   = 64
)

func newGUIDIndex(n int) guidIndex {
	x := guidIndex{seed: processSeed}
	x.slots = makeSlots(max(16, n*guidIndexFillDen/guidIndexFillNum))
	if n >= deferredFrom {
		x.seen = make([]uint64, 1<<bits.Len(uint(n*seenBitsPerKey/64)))
		x.pending = make([]guidSlot, 0, pendingBatch)
		x.homes = make([]int, 0, pendingBatch)
	}
	return x
}

// hash is the key's seeded hash; home reduces it to a slot, its low
// bits pick its word in seen.
func (x *guidIndex) hash(lo uint64, hi uint32) uint64 {
	h1, h0 := bits.Mul64(lo^x.seed[0], uint64(hi)^x.seed[1])
	return h1 ^ h0
}

func (x *guidIndex) slotOf(h uint64) int {
	s, _ := bits.Mul64(h, uint64(len(x.slots)))
	return int(s)
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
	return x.slotOf(x.hash(lo, hi))
}

// get returns the index stored for g. It inserts pending keys first (a
// built tree's table has none, so there it only reads).
func (x *guidIndex) get(g string) (int32, bool) {
	if len(x.pending) > 0 {
		x.flush()
	}
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
// stored it. In a table that defers inserts, g may wait in pending until
// the next lookup.
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
		x.flush()
		x.grow()
	}
	lo, hi := guidWords(g)
	if x.seen != nil {
		h := x.hash(lo, hi)
		w, bits := &x.seen[h&uint64(len(x.seen)-1)], seenBits(h)
		if *w&bits != bits {
			*w |= bits
			x.pending = append(x.pending, guidSlot{lo: lo, hi: hi, idx: idx + 1})
			x.homes = append(x.homes, x.slotOf(h))
			x.n++
			if len(x.pending) == cap(x.pending) {
				x.flush()
			}
			return true
		}
		// Perhaps a duplicate: its slot is read before the pending keys
		// are inserted, so that its cache miss overlaps theirs.
		touched := x.slots[x.slotOf(h)].idx
		x.flush()
		x.touched |= touched
	}
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

// seenBits are a key's two bits in its word of seen: with two, a key
// added is mistaken for one seen before about half as often as with one
// (each mistake costs a lookup in the table).
func seenBits(h uint64) uint64 { return 1<<(h>>58) | 1<<(h>>52&63) }

// flush inserts the pending keys, in the order they were added, so the
// table ends up as if each had been inserted at once. Their home slots
// are read first, all together, so that their cache misses overlap.
func (x *guidIndex) flush() {
	if len(x.pending) == 0 {
		return
	}
	// The home slots were worked out as the keys came, so this loop does
	// nothing but read, and all of the batch's reads fit in the core's
	// out-of-order window at once. Hashing in the same loop left fewer of
	// them in flight: adding 1M keys took 50-54 ns a key against 43-45.
	touched := int32(0)
	for _, h := range x.homes {
		touched |= x.slots[h].idx
	}
	for k, i := range x.homes {
		for x.slots[i].idx != 0 {
			if i++; i == len(x.slots) {
				i = 0
			}
		}
		x.slots[i] = x.pending[k]
	}
	x.touched |= touched
	x.pending, x.homes = x.pending[:0], x.homes[:0]
}

// prefetch reads the home slots of these keys, all at once, so that
// their cache misses overlap and the lookups that follow hit the cache.
func (x *guidIndex) prefetch(guids []string) {
	if len(x.pending) > 0 {
		x.flush()
	}
	if len(x.slots) == 0 {
		return
	}
	// Hash first, then read in a loop that does nothing else (see flush).
	var homes [PrefetchBatch]int
	m := 0
	for _, g := range guids[:min(len(guids), len(homes))] {
		if len(g) == 12 {
			homes[m], m = x.home(guidWords(g)), m+1
		}
	}
	touched := int32(0)
	for _, h := range homes[:m] {
		touched |= x.slots[h].idx
	}
	x.touched |= touched
}

// seal flushes the table and drops what deferring inserts needs: a
// built tree's table takes no more keys.
func (x *guidIndex) seal() {
	x.flush()
	x.seen, x.pending, x.homes = nil, nil, nil
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
