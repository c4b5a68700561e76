// Package lis finds longest strictly increasing subsequences. The merge
// view uses it to tell which children of a folder were reordered: those
// outside a longest increasing run of their old positions.
package lis

import "sort"

// Increasing reports whether a is strictly increasing.
func Increasing(a []int32) bool {
	for i := 1; i < len(a); i++ {
		if a[i] <= a[i-1] {
			return false
		}
	}
	return true
}

// Buf finds longest strictly increasing subsequences, reusing its buffers
// (a folder at a time, on trees of tens of thousands of items). The zero
// value is ready to use.
type Buf struct{ tails, prev, out []int32 }

// Indices returns the indices into a of a longest strictly increasing
// subsequence, in order; valid until the next call.
func (l *Buf) Indices(a []int32) []int32 {
	l.tails = l.tails[:0]
	l.prev = append(l.prev[:0], make([]int32, len(a))...)
	for i, x := range a {
		j := sort.Search(len(l.tails), func(k int) bool { return a[l.tails[k]] >= x })
		if j > 0 {
			l.prev[i] = l.tails[j-1]
		} else {
			l.prev[i] = -1
		}
		if j == len(l.tails) {
			l.tails = append(l.tails, int32(i))
		} else {
			l.tails[j] = int32(i)
		}
	}
	l.out = append(l.out[:0], make([]int32, len(l.tails))...)
	i := int32(-1)
	if len(l.tails) > 0 {
		i = l.tails[len(l.tails)-1]
	}
	for k := len(l.tails) - 1; k >= 0; k-- {
		l.out[k] = i
		i = l.prev[i]
	}
	return l.out
}
