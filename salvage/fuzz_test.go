package salvage

import (
	"fmt"
	"testing"
)

// fuzzInput turns bytes into an Input: a live database, a .corrupt, two
// backups and a mirror, each with items drawn from a small pool of GUIDs
// (so that sources overlap, disagree, form cycles and lose parents), rows
// without parents, tombstones and flags of completeness.
func fuzzInput(data []byte) *Input {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	guid := func(i int) string { return fmt.Sprintf("item%08d", i%24) }
	parent := func(i int) string {
		if i%5 == 0 {
			return []string{MenuGUID, ToolbarGUID, UnfiledGUID, MobileGUID, TagsGUID, RootGUID, "", "nowhere_____"}[i/5%8]
		}
		return guid(i)
	}
	in := &Input{}
	flags := next()
	mkPlaces := func(name string) *PlacesFile {
		pf := placesFile(name)
		pf.BookmarksComplete = flags&1 != 0
		pf.GUIDIndexComplete = flags&2 != 0
		n := next() % 16
		for i := 0; i < n; i++ {
			id := int64(10 + next()%20)
			typ := int64(1 + next()%3)
			b := BookmarkRow{ID: id, GUID: guid(next()), Parent: int64(next() % 32), Type: typ, Title: "t", Position: int64(next() % 4)}
			if typ == 1 {
				b.FK, b.HasFK = int64(1+next()%4), next()%4 != 0
			}
			pf.Bookmarks = append(pf.Bookmarks, b)
			if next()%3 == 0 {
				pf.GUIDIndex = append(pf.GUIDIndex, IndexEntry{GUID: guid(next()), ID: int64(10 + next()%20)})
			}
		}
		for i := 0; i < 4; i++ {
			if next()%2 == 0 {
				pf.Places = append(pf.Places, PlaceRow{ID: int64(i + 1), URL: fmt.Sprintf("https://p%d.example/", i)})
			}
			pf.URLHashes = map[int64]int64{int64(i + 5): int64(next())}
		}
		if next()%2 == 0 {
			pf.Tombstones = append(pf.Tombstones, TombstoneRow{GUID: guid(next())})
		}
		return pf
	}
	if flags&4 != 0 {
		in.Places = mkPlaces("places.sqlite")
	}
	if flags&8 != 0 {
		in.Corrupt = mkPlaces("places.sqlite.corrupt")
	}
	for k := 0; k < 2; k++ {
		if next()%2 == 0 {
			continue
		}
		var items []string
		n := next() % 12
		for i := 0; i < n; i++ {
			typ := 1 + next()%3
			url := "-"
			if typ == 1 {
				url = fmt.Sprintf("https://b%d.example/", next()%6)
			}
			p := parent(next())
			if p == "" || p == RootGUID || p == "nowhere_____" {
				p = MenuGUID
			}
			items = append(items, fmt.Sprintf("%s %s %d t %s", guid(next()), p, typ, url))
		}
		in.Backups = append(in.Backups, backupOfLoose(fmt.Sprintf("bk%d", k), int64(next()), items))
	}
	if next()%2 == 0 {
		m := &Mirror{Name: "mirror", Time: int64(next())}
		n := next() % 12
		for i := 0; i < n; i++ {
			it := MirrorItem{GUID: guid(next()), ParentGUID: parent(next()), Kind: 1 + next()%5, Deleted: next()%4 == 0, Position: next() % 5}
			if it.Kind == KindBookmark || it.Kind == KindQuery {
				it.URL = fmt.Sprintf("https://m%d.example/", next()%6)
			}
			m.Items = append(m.Items, it)
		}
		in.Mirror = m
	}
	return in
}

// backupOfLoose is backupOf, tolerating parents listed after children
// (they are then put under the menu).
func backupOfLoose(name string, t int64, items []string) Backup {
	seen := map[string]bool{}
	var ok []string
	for _, it := range items {
		var g, p string
		fmt.Sscan(it, &g, &p)
		if seen[g] {
			continue
		}
		if !seen[p] && !isRoot(p) {
			continue
		}
		seen[g] = true
		ok = append(ok, it)
	}
	return backupOf(name, t, ok...)
}

// FuzzRebuild: for any mix of sources, Rebuild never panics, gives a tree
// the writer takes, and never brings back an item a tombstone names that
// the live database has no row for.
func FuzzRebuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xff, 5, 10, 3, 2, 7, 1, 1, 1, 3, 9, 1, 4, 1, 2, 3, 1, 1, 1, 1, 1, 0, 1, 0, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{7, 9, 12, 2, 9, 14, 2, 0, 1, 11, 0, 3, 15, 5, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 6, 1, 2, 5, 8, 2, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInput(data)
		res, err := Rebuild(in, Options{Now: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkTree(t, res.DB)
		live := map[string]bool{}
		dead := map[string]bool{}
		for _, pf := range []*PlacesFile{in.Places, in.Corrupt} {
			if pf == nil {
				continue
			}
			for _, tb := range pf.Tombstones {
				dead[tb.GUID] = true
			}
		}
		if in.Places != nil {
			for _, b := range in.Places.Bookmarks {
				live[b.GUID] = true
			}
			for _, e := range in.Places.GUIDIndex {
				live[e.GUID] = true
			}
		}
		for _, b := range res.DB.Bookmarks {
			if dead[b.GUID] && !live[b.GUID] {
				t.Errorf("%s came back despite its tombstone", b.GUID)
			}
		}
	})
}
