package apply

import (
	"context"
	"slices"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// reuploadSQL is Firefox's Store::prepare (store.rs): every valid item
// whose URL carries more than one distinct keyword (NULL counting as one)
// or whose keyword names more than one URL is flagged for reupload. The
// apply writes the rows the reader found; this is the SQL it replaces.
const reuploadSQL = `SELECT v.guid FROM items v WHERE v.validity = 1 AND (
	v.urlId IN (SELECT urlId FROM items GROUP BY urlId
		HAVING COUNT(DISTINCT keyword) + COUNT(DISTINCT CASE WHEN keyword IS NULL THEN 1 END) > 1)
	OR v.keyword IN (SELECT keyword FROM items WHERE keyword NOT NULL GROUP BY keyword
		HAVING COUNT(DISTINCT urlId) > 1)) ORDER BY v.guid`

func guidColumn(t *testing.T, path, q string) []string {
	t.Helper()
	db := openRO(t, path)
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	return out
}

// TestApplyFlagsReupload gives two mirror bookmarks of different URLs one
// keyword, and a third a second keyword for its URL, and checks that the
// apply flags exactly the rows Firefox's own SQL flags.
func TestApplyFlagsReupload(t *testing.T) {
	e := loadExpected(t, "twoway")
	dir := testutil.Profile(t, "twoway", "before")
	mp := mirrorPath(dir)
	testutil.ExecSQL(t, mp, `UPDATE items SET keyword = 'shared' WHERE id IN
		(SELECT id FROM items WHERE kind = 1 AND urlId NOT NULL AND NOT isDeleted ORDER BY id LIMIT 2)`)
	testutil.ExecSQL(t, mp, `INSERT INTO items(guid, parentGuid, serverModified, needsMerge, validity, isDeleted, kind, dateAdded, title, urlId, keyword)
		SELECT 'reuploadKw01', parentGuid, serverModified, 0, 1, 0, kind, dateAdded, title, urlId, 'other'
		FROM items WHERE kind = 1 AND urlId NOT NULL AND NOT isDeleted ORDER BY id DESC LIMIT 1`)
	want := guidColumn(t, mp, reuploadSQL)
	if len(want) < 3 {
		t.Fatalf("the edited mirror should have at least 3 rows to reupload, has %v", want)
	}
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(plan.Reupload))
	if !slices.Equal(got, want) {
		t.Fatalf("plan.Reupload = %v, Firefox's SQL flags %v", got, want)
	}
	if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-"}); err != nil {
		t.Fatal(err)
	}
	flagged := guidColumn(t, mp, `SELECT guid FROM items WHERE validity = 2 ORDER BY guid`)
	if !slices.Equal(flagged, want) {
		t.Errorf("after the apply REUPLOAD rows are %v, want %v", flagged, want)
	}
}
