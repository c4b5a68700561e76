package lis

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestIndices(t *testing.T) {
	var b Buf
	for _, c := range []struct {
		in   []int32
		want []int32 // the indices (one longest run; ties go to the latest)
	}{
		{nil, []int32{}},
		{[]int32{7}, []int32{0}},
		{[]int32{0, 1, 2, 3}, []int32{0, 1, 2, 3}},
		{[]int32{3, 2, 1, 0}, []int32{3}},
		{[]int32{1, 0, 2, 3}, []int32{1, 2, 3}},
		{[]int32{0, 3, 1, 2}, []int32{0, 2, 3}},
		{[]int32{2, 2, 2}, []int32{2}},
		{[]int32{4, 0, 5, 1, 6, 2, 7}, []int32{1, 3, 5, 6}},
		{[]int32{9, 1, 8, 2, 7, 3}, []int32{1, 3, 5}},
	} {
		if got := b.Indices(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Indices(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestIncreasing(t *testing.T) {
	for _, c := range []struct {
		in   []int32
		want bool
	}{
		{nil, true}, {[]int32{5}, true}, {[]int32{1, 2, 9}, true}, {[]int32{1, 1}, false}, {[]int32{2, 1}, false},
	} {
		if got := Increasing(c.in); got != c.want {
			t.Errorf("Increasing(%v) = %v", c.in, got)
		}
	}
}

// Random inputs: the indices pick a strictly increasing run as long as the
// longest one a quadratic search finds, with one Buf reused throughout.
func TestIndicesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b Buf
	for range 2000 {
		a := make([]int32, rng.IntN(30))
		for i := range a {
			a[i] = rng.Int32N(20)
		}
		got := b.Indices(a)
		for k := 1; k < len(got); k++ {
			if got[k] <= got[k-1] || a[got[k]] <= a[got[k-1]] {
				t.Fatalf("Indices(%v) = %v: not an increasing run", a, got)
			}
		}
		best := make([]int, len(a))
		longest := 0
		for i := range a {
			best[i] = 1
			for j := range i {
				if a[j] < a[i] {
					best[i] = max(best[i], best[j]+1)
				}
			}
			longest = max(longest, best[i])
		}
		if len(got) != longest {
			t.Fatalf("Indices(%v) has %d items, the longest run %d", a, len(got), longest)
		}
	}
}
