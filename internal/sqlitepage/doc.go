// Package sqlitepage reads SQLite database files page by page, the way a
// salvage tool needs them: it tolerates damage, reports what it could not
// read instead of giving up, and finds rows on pages that a damaged
// b-tree no longer reaches.
//
// It follows the public file format (https://sqlite.org/fileformat2.html):
// the database header, b-tree pages and cells, records, overflow chains,
// the freelist, pointer-map pages and the write-ahead log. It knows
// nothing about what the tables mean.
//
// Guarantees, for any input: no panic, no endless loop on a cyclic page
// chain (every chain has a visited set and a length bound, every tree a
// depth bound), and bounded memory (pages are read on demand through a
// small cache; payloads, overflow chains and problem lists have limits).
// A File is not safe for concurrent use.
//
// Use:
//
//	files, err := sqlitepage.OpenPath("places.sqlite", true, sqlitepage.Limits{}) // with -wal
//	defer files.Close()
//	survey := files.Survey()           // every page: kind, owner tree, free or orphan
//	probs, err := files.ReadTable("moz_bookmarks", func(r sqlitepage.Row) error {
//		// r.Err: a damaged cell; r.Orphan: found on a page no tree reaches
//		return nil
//	})
//
// What never comes back: cells on freelist pages, deleted cells in
// freeblocks, and page versions the WAL superseded or never committed.
// When the freelist itself is damaged (Survey.FreelistComplete false),
// orphan pages may be deleted pages, and rows from them need another
// source to vouch for them.
package sqlitepage
