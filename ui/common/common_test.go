package common

import (
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
)

// TestKindGlyphsDistinct: every kind, and an open, closed and empty
// folder, gets a glyph of its own.
func TestKindGlyphsDistinct(t *testing.T) {
	g := themes.DefaultGlyphs()
	seen := map[string]string{}
	add := func(name, glyph string) {
		if other, dup := seen[glyph]; dup {
			t.Errorf("%s and %s are both %q", other, name, glyph)
		}
		seen[glyph] = name
	}
	for _, k := range []tree.Kind{tree.KindBookmark, tree.KindQuery, tree.KindSeparator, tree.KindLivemark} {
		add(k.String(), KindGlyph(g, k, false, false))
	}
	add("open folder", KindGlyph(g, tree.KindFolder, true, false))
	add("closed folder", KindGlyph(g, tree.KindFolder, false, false))
	add("empty folder", KindGlyph(g, tree.KindFolder, true, true))
}
