package apply

import "database/sql"

// Mirror validity values (mozISyncedBookmarksMerger VALIDITY_*).
const (
	mirrorValid    = 1
	mirrorReupload = 2
)

// Queryer is what the fingerprints need: *sql.DB and *sql.Tx qualify.
type Queryer interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}
