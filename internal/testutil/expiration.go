package testutil

import (
	"database/sql"
	"testing"
)

// Firefox deletes pages on its own, whatever its maintenance says:
// nsPlacesExpiration's orphan query (run every few minutes, up to 60
// pages a time) removes every page with no visit, last_visit_date NULL,
// foreign_count 0 (no bookmark, tag entry or keyword) and a frecency other
// than -1 (a page being added). A database bmtui writes must hold none,
// or Firefox changes it soon after opening it.
const expirableQuery = `SELECT count(*) FROM moz_places h
	WHERE h.last_visit_date IS NULL AND h.foreign_count = 0 AND h.frecency <> -1
		AND NOT EXISTS (SELECT 1 FROM moz_historyvisits v WHERE v.place_id = h.id)`

// keptQuery counts the pages Firefox keeps of a database whose
// foreign_count may be stale (SQLite's .recover output): its maintenance
// recomputes foreign_count from the bookmarks and keywords, then the
// expiration above removes the pages nothing refers to.
const keptQuery = `SELECT count(*) FROM moz_places h
	WHERE EXISTS (SELECT 1 FROM moz_bookmarks b WHERE b.fk = h.id)
		OR EXISTS (SELECT 1 FROM moz_keywords k WHERE k.place_id = h.id)
		OR EXISTS (SELECT 1 FROM moz_historyvisits v WHERE v.place_id = h.id)`

// ExpirablePages counts the pages of the Places database at path that
// Firefox's expiration would delete (see expirableQuery).
func ExpirablePages(tb testing.TB, path string) int {
	tb.Helper()
	return countRows(tb, path, expirableQuery)
}

// KeptPages counts the pages of the Places database at path that Firefox
// keeps once its maintenance and expiration ran (see keptQuery).
func KeptPages(tb testing.TB, path string) int {
	tb.Helper()
	return countRows(tb, path, keptQuery)
}

func countRows(tb testing.TB, path, query string) int {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return n
}
