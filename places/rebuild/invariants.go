package rebuild

import (
	"fmt"
	"slices"
)

// checkInvariants checks, on the rows Write inserted (which the read-back
// proves the file holds, row for row), the invariants Places' coherence
// check enforces, recomputed here independently of derive: the origin a
// page refers to, foreign_count, visit_count and last_visit_date,
// contiguous positions, bookmark fk, parents that exist and are folders,
// no tombstone for a live item, no empty tag folder, sane dates, no
// duplicate URL. One pass over the rows in
// Go replaces SQL's correlated subqueries, which cost more than the rest of
// the verification.
func checkInvariants(t *tables) error {
	type place struct {
		foreign, visits, last int64
	}
	places := make(map[int64]*place, len(t.places))
	urls := make(map[string]bool, len(t.places))
	origins := make(map[int64]bool, len(t.origins))
	for _, o := range t.origins {
		origins[o.id] = true
	}
	for _, p := range t.places {
		if urls[p.url] {
			return fmt.Errorf("duplicate URL %q", p.url)
		}
		// moz_places.origin_id REFERENCES moz_origins(id): Verify
		// relies on this instead of SQLite's foreign_key_check.
		if !origins[p.originID] {
			return fmt.Errorf("origin: page %d refers to missing origin %d", p.id, p.originID)
		}
		urls[p.url] = true
		places[p.id] = &place{}
	}
	for _, v := range t.visits {
		p := places[v.placeID]
		if p == nil {
			return fmt.Errorf("visit %d of missing page %d", v.id, v.placeID)
		}
		switch v.visitType {
		case 0, 4, 7, 8, 9: // invalid, embed, download, framed link, reload
		default:
			p.visits++
		}
		p.last = max(p.last, v.date)
	}
	type item struct {
		typ  int64
		kids []int64 // positions
	}
	items := make(map[int64]*item, len(t.bookmarks))
	guids := make(map[string]bool, len(t.bookmarks))
	var tagsRoot int64
	for _, b := range t.bookmarks {
		items[b.id] = &item{typ: b.typ}
		guids[b.guid] = true
		if b.guid == TagsGUID {
			tagsRoot = b.id
		}
	}
	for _, b := range t.bookmarks {
		if (b.typ == 1) != (b.fk != 0) {
			return fmt.Errorf("bookmark fk: item %s", b.guid)
		}
		if b.fk != 0 {
			p := places[b.fk]
			if p == nil {
				return fmt.Errorf("item %s refers to missing page %d", b.guid, b.fk)
			}
			p.foreign++
		}
		if b.dateAdded == 0 || b.dateAdded > b.lastModified {
			return fmt.Errorf("dates: item %s", b.guid)
		}
		if b.parent == 0 {
			continue
		}
		parent := items[b.parent]
		switch {
		case parent == nil:
			return fmt.Errorf("orphans: item %s has no parent %d", b.guid, b.parent)
		case parent.typ != 2:
			return fmt.Errorf("parent type: item %s is in a non-folder", b.guid)
		}
		parent.kids = append(parent.kids, b.position)
	}
	for _, k := range t.keywords {
		p := places[k.placeID]
		if p == nil {
			return fmt.Errorf("keyword %q of missing page %d", k.keyword, k.placeID)
		}
		p.foreign++
	}
	for _, p := range t.places {
		got := places[p.id]
		if p.foreignCount != got.foreign {
			return fmt.Errorf("foreign_count: page %d has %d, %d refer to it", p.id, p.foreignCount, got.foreign)
		}
		if p.visitCount != got.visits || p.lastVisitDate != got.last {
			return fmt.Errorf("visit_count: page %d has %d/%d, its visits say %d/%d", p.id, p.visitCount, p.lastVisitDate, got.visits, got.last)
		}
	}
	for _, b := range t.bookmarks {
		it := items[b.id]
		if b.parent == tagsRoot && tagsRoot != 0 && len(it.kids) == 0 {
			return fmt.Errorf("empty tag folder %s", b.guid)
		}
		slices.Sort(it.kids)
		for i, pos := range it.kids {
			if pos != int64(i) {
				return fmt.Errorf("positions: folder %s", b.guid)
			}
		}
	}
	for _, d := range t.tombstones {
		if guids[d.GUID] {
			return fmt.Errorf("live tombstones: %s", d.GUID)
		}
	}
	return nil
}
