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
