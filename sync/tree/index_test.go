package tree

import (
	"fmt"
	"testing"
)

// TestGUIDIndex checks the inline-key table against a map while it grows
// from empty, with keys that share prefixes, odd-sized keys and repeats.
func TestGUIDIndex(t *testing.T) {
	x := newGUIDIndex(0)
	want := map[string]int32{}
	var keys []string
	for i := range 5000 {
		keys = append(keys, fmt.Sprintf("item%08d", i), fmt.Sprintf("%08dtail", i))
	}
	keys = append(keys, "", "short", "thirteen_byte", RootGUID, MenuGUID, "item00000001", "short")
	for i, k := range keys {
		_, dup := want[k]
		if added := x.add(k, int32(i)); added == dup {
			t.Fatalf("add(%q) = %v, already present %v", k, added, dup)
		}
		if !dup {
			want[k] = int32(i)
		}
	}
	for k, v := range want {
		if got, ok := x.get(k); !ok || got != v {
			t.Errorf("get(%q) = %d, %v; want %d", k, got, ok, v)
		}
	}
	for _, k := range []string{"item99999999", "nope", "menu_______x", "toolbar_____"} {
		if _, ok := x.get(k); ok {
			t.Errorf("get(%q) found a key never added", k)
		}
	}
	if len(x.slots)*guidIndexMaxLoadNum < x.n*guidIndexMaxLoadDen {
		t.Errorf("%d keys in %d slots: over the load limit", x.n, len(x.slots))
	}
	var empty guidIndex
	if _, ok := empty.get(RootGUID); ok {
		t.Error("zero index found a key")
	}
}

func BenchmarkGUIDIndexGet(b *testing.B) {
	const n = 100000
	x := newGUIDIndex(n)
	m := make(map[string]int32, n)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("g%011d", i*7919)
		x.add(keys[i], int32(i))
		m[keys[i]] = int32(i)
	}
	b.Run("table", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, ok := x.get(keys[i%n]); !ok {
				b.Fatal("missing")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, ok := m[keys[i%n]]; !ok {
				b.Fatal("missing")
			}
		}
	})
}

// TestGUIDIndexDeferred checks a table large enough to defer its inserts:
// add reports duplicates as it happens, lookups see pending keys, and the
// table ends up slot for slot as one that inserts each key at once (Pair
// reads tables in slot order).
func TestGUIDIndexDeferred(t *testing.T) {
	const n = deferredFrom
	x := newGUIDIndex(n)
	direct := guidIndex{seed: processSeed, slots: makeSlots(len(x.slots))}
	if x.seen == nil || direct.seen != nil {
		t.Fatal("test needs one table that defers and one that does not")
	}
	var keys []string
	for i := range n + n/2 { // past the size the table was made for: it grows
		keys = append(keys, fmt.Sprintf("g%011d", i*7919))
		if i%1000 == 999 {
			// a repeat, one of a key still pending, an odd-sized key
			keys = append(keys, keys[i/2], keys[len(keys)-2], "odd"+keys[i/3])
		}
	}
	want := map[string]int32{}
	for i, k := range keys {
		_, dup := want[k]
		if added := x.add(k, int32(i)); added == dup {
			t.Fatalf("add(%q) = %v, already present %v", k, added, dup)
		}
		direct.add(k, int32(i))
		if !dup {
			want[k] = int32(i)
		}
		if i%50000 == 0 { // a lookup while keys wait
			if got, ok := x.get(keys[i]); !ok || got != want[keys[i]] {
				t.Fatalf("get(%q) = %d, %v while pending", keys[i], got, ok)
			}
		}
	}
	x.seal()
	for k, v := range want {
		if got, ok := x.get(k); !ok || got != v {
			t.Fatalf("get(%q) = %d, %v; want %d", k, got, ok, v)
		}
	}
	if len(x.slots) != len(direct.slots) || x.n != direct.n {
		t.Fatalf("%d slots, %d keys; inserted at once: %d, %d", len(x.slots), x.n, len(direct.slots), direct.n)
	}
	for i := range x.slots {
		if x.slots[i] != direct.slots[i] {
			t.Fatalf("slot %d differs from the table that inserts at once", i)
		}
	}
}
