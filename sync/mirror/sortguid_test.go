package mirror

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSortByGUID: the cycle-following sort gives what sorting the rows
// themselves gives, every row kept whole.
func TestSortByGUID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 10, 1000} {
		rows := make([]ItemRow, n)
		for i := range rows {
			rows[i] = ItemRow{ID: int64(i), GUID: fmt.Sprintf("g%08d", r.IntN(1<<30)) + fmt.Sprint(i), Title: fmt.Sprint("t", i)}
		}
		if n == 3 {
			rows[0].GUID, rows[1].GUID, rows[2].GUID = "a", "b", "c" // already sorted
		}
		want := slices.Clone(rows)
		slices.SortFunc(want, func(a, b ItemRow) int { return strings.Compare(a.GUID, b.GUID) })
		sortByGUID(rows)
		for i := range rows {
			if rows[i].ID != want[i].ID || rows[i].GUID != want[i].GUID || rows[i].Title != want[i].Title {
				t.Fatalf("n=%d: row %d is %+v, want %+v", n, i, rows[i], want[i])
			}
		}
	}
}

func BenchmarkSortByGUID(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	base := make([]ItemRow, 41000)
	for i := range base {
		base[i] = ItemRow{ID: int64(i), GUID: fmt.Sprintf("%012x", r.Uint64()), Title: "title"}
	}
	rows := make([]ItemRow, len(base))
	for _, how := range []string{"rows", "keys"} {
		b.Run(how, func(b *testing.B) {
			for b.Loop() {
				copy(rows, base)
				if how == "rows" {
					slices.SortFunc(rows, func(a, b ItemRow) int { return strings.Compare(a.GUID, b.GUID) })
				} else {
					sortByGUID(rows)
				}
			}
		})
	}
}
