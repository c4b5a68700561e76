package apply

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/record"
)

// compareOutgoing matches our records with Firefox's, field by field, and
// returns the number of matching fields and all fields, and the
// differences.
func compareOutgoing(got []record.Outgoing, want map[string]expectedOutgoing) (match, total int, diffs []string) {
	byID := make(map[string]record.Outgoing, len(got))
	for _, r := range got {
		byID[r.ID] = r
	}
	norm := func(v any) any {
		b, _ := json.Marshal(v)
		var x any
		json.Unmarshal(b, &x)
		return x
	}
	for id, w := range want {
		g, ok := byID[id]
		total += 3 + len(w.Cleartext)
		if !ok {
			diffs = append(diffs, "missing record "+id)
			continue
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{{"counter", g.Counter, w.Counter}, {"tombstone", g.Tombstone, w.Tombstone}, {"synced", g.Synced, w.Synced}} {
			if reflect.DeepEqual(norm(c.got), norm(c.want)) {
				match++
			} else {
				diffs = append(diffs, id+"."+c.name+": got "+toJSON(c.got)+", want "+toJSON(c.want))
			}
		}
		for k, wv := range w.Cleartext {
			gv, ok := g.Cleartext.Get(k)
			var wx any
			json.Unmarshal(wv, &wx)
			if ok && reflect.DeepEqual(norm(gv), wx) {
				match++
			} else {
				diffs = append(diffs, id+".cleartext."+k+": got "+toJSON(gv)+", want "+string(wv))
			}
		}
		for _, f := range g.Cleartext {
			if _, ok := w.Cleartext[f.Key]; !ok {
				total++
				diffs = append(diffs, id+".cleartext."+f.Key+": extra field "+toJSON(f.Value))
			}
		}
	}
	for _, r := range got {
		if _, ok := want[r.ID]; !ok {
			total++
			diffs = append(diffs, "extra record "+r.ID)
		}
	}
	sort.Strings(diffs)
	return match, total, diffs
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestOutgoingMatchesFirefox compares the records we would upload with the
// `outgoing` Firefox produced for each fixture: the same record ids, and
// every counter, flag and cleartext field equal.
func TestOutgoingMatchesFirefox(t *testing.T) {
	for _, s := range applyScenarios {
		t.Run(s, func(t *testing.T) {
			if s == "large-40k" && testing.Short() {
				t.Skip("large-40k: skipped with -short")
			}
			e := loadExpected(t, s)
			_, _, rep := applyScenario(t, s, Options{NoFirefoxBackup: true})
			match, total, diffs := compareOutgoing(rep.Outgoing, e.Outgoing)
			t.Logf("%d records (Firefox %d); %d of %d fields match", len(rep.Outgoing), len(e.Outgoing), match, total)
			for i, d := range diffs {
				if i == 20 {
					t.Errorf("... %d more", len(diffs)-20)
					break
				}
				t.Error(d)
			}
			if rep.OutgoingPath != "" {
				data, err := os.ReadFile(rep.OutgoingPath)
				if err != nil {
					t.Fatal(err)
				}
				var back map[string]expectedOutgoing
				if err := json.Unmarshal(data, &back); err != nil {
					t.Fatalf("outgoing file: %v", err)
				}
				if len(back) != len(rep.Outgoing) {
					t.Errorf("outgoing file has %d records, want %d", len(back), len(rep.Outgoing))
				}
			}
		})
	}
}

// TestOutgoingSpreadsUnknownFields: the mirror's unknownFields reach the
// records of the items they belong to (no fixture has any, and without
// any the mirror is not joined at all).
func TestOutgoingSpreadsUnknownFields(t *testing.T) {
	e := loadExpected(t, "twoway")
	dir := testutil.Profile(t, "twoway", "before")
	db, err := sql.Open("sqlite", "file:"+mirrorPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE items SET unknownFields = '{"bmtuiExtra":"x"}' WHERE kind IN (1, 3) AND NOT isDeleted`); err != nil {
		t.Fatal(err)
	}
	inMirror := map[string]bool{}
	rows, err := db.Query(`SELECT guid FROM items WHERE kind IN (1, 3) AND NOT isDeleted`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			t.Fatal(err)
		}
		inMirror[g] = true
	}
	rows.Close()
	db.Close()
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-"})
	if err != nil {
		t.Fatal(err)
	}
	spread := 0
	for _, r := range rep.Outgoing {
		if r.Tombstone {
			continue
		}
		typ, _ := r.Cleartext.Get("type")
		if typ != "bookmark" && typ != "query" {
			continue
		}
		v, ok := r.Cleartext.Get("bmtuiExtra")
		if want := inMirror[r.ID]; ok != want || (ok && toJSON(v) != `"x"`) {
			t.Errorf("%s: bmtuiExtra %v (%v), want it %v", r.ID, v, ok, want)
		}
		if ok {
			spread++
		}
	}
	if spread == 0 {
		t.Fatal("no outgoing bookmark has a mirror item: the test proves nothing")
	}
	t.Logf("%d of %d records carry the mirror's unknown fields", spread, len(rep.Outgoing))
}

// TestAppliedPlaceChange: an applied bookmark whose URL changed on the
// server moves to the new page (the upsert's UPDATE that sets fk), the fk
// trigger counts both pages, and both are flagged for frecency (by that
// trigger and by the frecency step). No fixture changes a URL.
func TestAppliedPlaceChange(t *testing.T) {
	e := loadExpected(t, "twoway")
	dir := testutil.Profile(t, "twoway", "before")
	plan, err := preparePlan(context.Background(), dir, e.times(), mergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]bool{}
	for _, op := range plan.ops().ApplyRemoteItems {
		if op.Remote == op.Merged {
			applied[op.Remote] = true
		}
	}
	pdb, err := sql.Open("sqlite", "file:"+placesPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	mdb, err := sql.Open("sqlite", "file:"+mirrorPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	// An applied bookmark that exists here, and another mirror URL with a
	// page here to point it at.
	rows, err := mdb.Query(`SELECT v.guid, u.url FROM items v JOIN urls u ON u.id = v.urlId WHERE v.kind = 1 AND NOT v.isDeleted ORDER BY v.guid`)
	if err != nil {
		t.Fatal(err)
	}
	var guid, newURL string
	var oldPlace, newPlace int64
	type cand struct{ guid, url string }
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.guid, &c.url); err != nil {
			t.Fatal(err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	for _, c := range cands {
		var fk sql.NullInt64
		if !applied[c.guid] || pdb.QueryRow(`SELECT fk FROM moz_bookmarks WHERE guid = ?`, c.guid).Scan(&fk) != nil || !fk.Valid {
			continue
		}
		for _, o := range cands {
			var id int64
			if o.url != c.url && pdb.QueryRow(`SELECT id FROM moz_places WHERE url = ?`, o.url).Scan(&id) == nil && id != fk.Int64 {
				guid, newURL, oldPlace, newPlace = c.guid, o.url, fk.Int64, id
				break
			}
		}
		if guid != "" {
			break
		}
	}
	if guid == "" {
		t.Fatal("no applied bookmark to move: the test proves nothing")
	}
	if _, err := mdb.Exec(`UPDATE items SET urlId = (SELECT id FROM urls WHERE url = ?) WHERE guid = ?`, newURL, guid); err != nil {
		t.Fatal(err)
	}
	mdb.Close()
	// Both pages must count for frecency, and be unflagged, to see the flags set.
	if _, err := pdb.Exec(`UPDATE moz_places SET frecency = 100, recalc_frecency = 0, recalc_alt_frecency = 0 WHERE id IN (?, ?)`, oldPlace, newPlace); err != nil {
		t.Fatal(err)
	}
	counts := func() (int64, int64) {
		var a, b int64
		if err := pdb.QueryRow(`SELECT (SELECT foreign_count FROM moz_places WHERE id = ?), (SELECT foreign_count FROM moz_places WHERE id = ?)`, oldPlace, newPlace).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	oldBefore, newBefore := counts()
	pdb.Close()

	if plan, err = preparePlan(context.Background(), dir, e.times(), mergeOptions()); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), dir, plan, Options{NoFirefoxBackup: true, OutgoingPath: "-"}); err != nil {
		t.Fatal(err)
	}
	if pdb, err = sql.Open("sqlite", "file:"+placesPath(dir)); err != nil {
		t.Fatal(err)
	}
	var fk int64
	if err := pdb.QueryRow(`SELECT fk FROM moz_bookmarks WHERE guid = ?`, guid).Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if fk != newPlace {
		t.Errorf("%s: fk %d, want the new page %d (was %d)", guid, fk, newPlace, oldPlace)
	}
	oldAfter, newAfter := counts()
	if oldAfter != oldBefore-1 || newAfter != newBefore+1 {
		t.Errorf("foreign_count old page %d -> %d, new page %d -> %d: want one less and one more", oldBefore, oldAfter, newBefore, newAfter)
	}
	for _, id := range []int64{oldPlace, newPlace} {
		var r, ra int
		if err := pdb.QueryRow(`SELECT recalc_frecency, recalc_alt_frecency FROM moz_places WHERE id = ?`, id).Scan(&r, &ra); err != nil {
			t.Fatal(err)
		}
		if r != 1 || ra != 1 {
			t.Errorf("page %d: recalc_frecency %d, recalc_alt_frecency %d; want both 1", id, r, ra)
		}
	}
	pdb.Close()
}
