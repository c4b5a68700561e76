package dbsnap

import (
	"fmt"

	"github.com/bmtui/bmtui/internal/sqlraw"
)

// Scan runs query on the snapshot and calls fn with each row. It reads
// through its own raw connection (internal/sqlraw), about twice as fast
// per column as database/sql, which dominated reading a 40k-bookmark
// tree. The Row is valid only during the call.
func (o *File) Scan(query string, fn func(r *sqlraw.Row) error) error {
	o.rawMu.Lock()
	defer o.rawMu.Unlock()
	if o.raw == nil {
		// Opened after the database/sql connection, which has already
		// replayed a copied WAL or rolled back a copied journal; not
		// immutable, so a copied WAL is still read.
		c, err := sqlraw.Open(o.snap.Path, false)
		if err != nil {
			return err
		}
		// The same whole-file read settings as OpenSQL.
		for _, p := range []string{`PRAGMA cache_size = -131072`, `PRAGMA mmap_size = 268435456`} {
			if err := c.Exec(p); err != nil {
				c.Close()
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		o.raw = c
	}
	return o.raw.Query(query, fn)
}
