package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil/history40k"
)

// BenchmarkFind is `bmtui find` end to end on history-40k (large-40k with
// 15 backups: 17 sources, about 660,000 items), cold: every run lists,
// reads, decompresses and parses every source and indexes them anew.
func BenchmarkFind(b *testing.B) {
	dir := history40k.Profile(b)
	for b.Loop() {
		code := run(context.Background(), []string{"find", "--profile", dir, "--json", "day 3"}, stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
		if code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
}
