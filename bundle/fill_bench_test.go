package bundle

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

func BenchmarkFill(b *testing.B) {
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "x.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	rows := make([][]any, 100_000)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("https://example.com/some/path/%08d", i), fmt.Sprintf("https://habcdefgh%08d.r/abcdefghijklmnop", i), int64(i) << 30, "r.abc."}
	}
	for b.Loop() {
		conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.urlmap`)
		conn.ExecContext(ctx, `CREATE TEMP TABLE urlmap (k TEXT PRIMARY KEY, v TEXT, h INTEGER, rh TEXT) WITHOUT ROWID`)
		if err := fill(ctx, conn, "urlmap", 4, rows); err != nil {
			b.Fatal(err)
		}
	}
}
