package search_test

import (
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil/history40k"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/sync/tree"
)

var benchQueries = []string{"e", "bookmark 1", "day 3", "example.com/12", "zzz"}

// BenchmarkSearch is one search, as a keystroke in the find screen runs
// it (the first 1,000 matches, 40 of them described), through the index
// and, as the baseline, by folding and scanning every source's tree.
func BenchmarkSearch(b *testing.B) {
	// Loaded here, not in the sub-benchmarks: a parent that calls b.Run
	// runs once.
	srcs := history40k.Sources(b)
	ix := search.New(srcs)
	for _, q := range benchQueries {
		b.Run("index/"+q, func(b *testing.B) {
			for b.Loop() {
				guids, _ := ix.Search(search.Parse(q), 1000)
				for _, g := range guids[:min(len(guids), 40)] {
					ix.Describe(g)
				}
			}
		})
		b.Run("scan-trees/"+q, func(b *testing.B) {
			terms := strings.Fields(search.Fold(q))
			for b.Loop() {
				found := map[string]bool{}
				for _, s := range srcs {
					s.Result.Tree.Walk(func(_ int32, n *tree.Node) bool {
						if n.Info == nil || found[n.GUID] {
							return true
						}
						text := search.Fold(n.Info.Title) + " " + search.Fold(n.Info.URL) + " " + search.Fold(n.GUID)
						for _, t := range terms {
							if !strings.Contains(text, t) {
								return true
							}
						}
						found[n.GUID] = true
						return true
					})
				}
			}
		})
	}
}

// BenchmarkIndex builds the index of the 17 loaded sources.
func BenchmarkIndex(b *testing.B) {
	srcs := history40k.Sources(b)
	for b.Loop() {
		search.New(srcs)
	}
}
