package apply

import "database/sql"

// Mirror validity values (mozISyncedBookmarksMerger VALIDITY_*).
const (
	mirrorValid    = 1
	mirrorReupload = 2
)

// reuploadCondition is the condition of Firefox's Store::prepare (store.rs),
// which flags for reupload every valid item whose URL carries more than
// one distinct keyword (NULL counting as one) or whose keyword names more
// than one URL. The preview applies it in memory (sync/mirror); the apply
// writes it as Firefox does (prepareMirror).
func reuploadCondition(s string) string {
	return `v.urlId IN (SELECT urlId FROM ` + s + `items GROUP BY urlId
			HAVING COUNT(DISTINCT keyword) + COUNT(DISTINCT CASE WHEN keyword IS NULL THEN 1 END) > 1)
		OR v.keyword IN (SELECT keyword FROM ` + s + `items WHERE keyword NOT NULL GROUP BY keyword
			HAVING COUNT(DISTINCT urlId) > 1)`
}

// Queryer is what the fingerprints need: *sql.DB and *sql.Tx qualify.
type Queryer interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}
