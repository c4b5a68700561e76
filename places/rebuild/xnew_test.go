package rebuild

import (
	"context"
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/sqlraw"
)

func xWriteTables(ctx context.Context, path string, t *tables) (err error) {
	// Through SQLite's C API directly: binding each value through
	// database/sql cost about as much as SQLite's own inserts.
	c, err := sqlraw.OpenWrite(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}()
	exec := func(stmts ...string) error {
		for _, s := range stmts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := c.Exec(s); err != nil {
				return fmt.Errorf("%.60s: %w", s, err)
			}
		}
		return nil
	}
	// The file is new and swapped in only once complete, so no journal is
	// needed while it is built. Foreign keys are not enforced row by row:
	// Verify runs SQLite's foreign_key_check on the finished file.
	if err := exec(
		fmt.Sprintf("PRAGMA page_size = %d", demo.PageSize),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA mmap_size = 268435456",
		"BEGIN",
	); err != nil {
		return err
	}
	// Indexes are built once the rows are in: one sorted pass each
	// instead of an insert per row.
	var tablesFirst, indexes []string
	for _, s := range demo.PlacesSchema() {
		if strings.HasPrefix(s, "CREATE INDEX") || strings.HasPrefix(s, "CREATE UNIQUE INDEX") {
			indexes = append(indexes, s)
		} else {
			tablesFirst = append(tablesFirst, s)
		}
	}
	if err := exec(tablesFirst...); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := insertAll(ctx, c, t); err != nil {
		c.Exec("ROLLBACK")
		return err
	}
	if err := exec(indexes...); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return exec(
		"COMMIT",
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		// sqlite_stat1 as Firefox's PRAGMA optimize makes it (it sets
		// analysis_limit too), not a full scan of every index.
		"PRAGMA analysis_limit = 400",
		"ANALYZE",
		"DROP TABLE IF EXISTS sqlite_stat4", // modernc builds with STAT4; Firefox's files have only stat1
		"PRAGMA synchronous = FULL",
		"PRAGMA journal_mode = WAL",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
}

