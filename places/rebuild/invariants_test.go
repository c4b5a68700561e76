package rebuild

import (
	"strings"
	"testing"
)

func TestCheckInvariants(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*tables)
		want   string
	}{
		{"none", func(*tables) {}, ""},
		{"foreign_count", func(t *tables) { t.places[0].foreignCount++ }, "foreign_count"},
		{"visit_count", func(t *tables) { t.places[0].visitCount++ }, "visit_count"},
		{"last visit", func(t *tables) { t.visits[0].date += 1e15 }, "visit_count"},
		{"positions", func(t *tables) { t.bookmarks[len(t.bookmarks)-1].position += 5 }, "positions"},
		{"fk", func(t *tables) { t.bookmarks[0].fk = t.places[0].id }, "bookmark fk"},
		{"orphan", func(t *tables) { t.bookmarks[len(t.bookmarks)-1].parent = 999999 }, "orphans"},
		{"dates", func(t *tables) { t.bookmarks[3].dateAdded = t.bookmarks[3].lastModified + 1 }, "dates"},
		{"live tombstone", func(t *tables) { t.tombstones[0].GUID = t.bookmarks[7].guid }, "live tombstones"},
		{"duplicate URL", func(t *tables) { t.places[1].url = t.places[0].url }, "duplicate URL"},
		{"origin", func(t *tables) { t.places[0].originID = int64(len(t.origins) + 1) }, "origin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab, err := derive(sampleDB(), testNow)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(tab)
			err = checkInvariants(tab)
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("checkInvariants: %v, want %q", err, c.want)
			}
		})
	}
}
