package hugepages

import "testing"

func TestInside(t *testing.T) {
	const M = Size
	for _, c := range []struct{ p, size, start, end uintptr }{
		{0, 2 * M, 0, 2 * M},               // aligned: all of it
		{4096, M, M, M},                    // no whole huge page inside
		{4096, 3 * M, M, 3 * M},            // rounded in at both ends
		{M - 1, 2*M + 2, M, 3 * M},         // one byte short of each boundary
		{5 * M, M / 2, 5 * M, 5 * M},       // smaller than a huge page
		{7*M + 8, 4*M - 16, 8 * M, 10 * M}, // rounded in, end below 11 M
	} {
		start, end := inside(c.p, c.size)
		if start != c.start || end != c.end {
			t.Errorf("inside(%#x, %#x) = [%#x, %#x), want [%#x, %#x)", c.p, c.size, start, end, c.start, c.end)
		}
	}
}

func TestMake(t *testing.T) {
	for _, c := range []struct{ n, c int }{{0, 0}, {1, 10}, {3, 1 << 20}, {1 << 20, 1 << 20}} {
		s := Make[uint64](c.n, c.c)
		if len(s) != c.n || cap(s) != c.c {
			t.Errorf("Make(%d, %d): len %d cap %d", c.n, c.c, len(s), cap(s))
		}
		for i := range s {
			if s[i] != 0 {
				t.Fatalf("Make(%d, %d)[%d] = %d, want zero", c.n, c.c, i, s[i])
			}
		}
		s = s[:cap(s)]
		for i := range s {
			s[i] = uint64(i) // the advised memory is ordinary memory
		}
	}
}

func TestMakeWritten(t *testing.T) {
	for _, c := range []struct{ n, c int }{{0, 0}, {0, 1}, {2, 5000}, {3 << 20, 3 << 20}} {
		s := MakeWritten[*int](c.n, c.c)
		if len(s) != c.n || cap(s) != c.c {
			t.Errorf("MakeWritten(%d, %d): len %d cap %d", c.n, c.c, len(s), cap(s))
		}
		for i, p := range s[:cap(s)] {
			if p != nil {
				t.Fatalf("MakeWritten(%d, %d)[%d] = %p, want nil", c.n, c.c, i, p)
			}
		}
	}
}
