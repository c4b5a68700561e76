package tree

import "testing"

func TestTouchPagesStaysInsideCapacity(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 4097, 3*4096 + 5} {
		backing := make([]byte, n+64)
		for i := n; i < len(backing); i++ {
			backing[i] = 0xFF
		}
		touchPages(backing[:0:n])
		for i, c := range backing {
			if want := byte(0); i >= n {
				want = 0xFF
				if c != want {
					t.Fatalf("n=%d: byte %d past the capacity changed to %#x", n, i, c)
				}
			} else if c != want {
				t.Fatalf("n=%d: byte %d inside the capacity is %#x, want 0", n, i, c)
			}
		}
	}
}

func TestTouchPagesKeepsZeroedNodes(t *testing.T) {
	nodes := make([]Node, 0, 200)
	touchPages(nodes)
	for i, n := range nodes[:cap(nodes)] {
		if n.GUID != "" || n.Content != nil || n.Children != nil || n.Parent != 0 {
			t.Fatalf("node %d changed: %+v", i, n)
		}
	}
}
