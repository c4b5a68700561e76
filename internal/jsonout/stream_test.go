package jsonout

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/bmtui/bmtui/sync/record"
)

// TestWriteIndentedMatchesEncoder checks WriteIndented byte for byte
// against encoding/json's indenting encoder, for empty, null and full
// lists, strings JSON escapes, and every field of Merge.
func TestWriteIndentedMatchesEncoder(t *testing.T) {
	full := &Merge{
		LocalTime:  1700007200,
		RemoteTime: 1700007300,
		Merged: &MergedNode{GUID: "root________", Kind: "folder", State: "unchanged", Children: []*MergedNode{
			{GUID: "menu________", Kind: "folder", State: "remote", Children: []*MergedNode{
				{GUID: "bmkA________", Kind: "bookmark", Title: `<b>"quoted"</b> & ünïcode ✓`, URL: "https://example.com/?a=1&b=<2>", State: "local"},
			}},
		}},
		Summary: Summary{Items: 3, AppliedLocally: 1, Uploaded: 2, Conflicts: 1},
		Outgoing: []record.Outgoing{
			{ID: "bmkA________", Counter: 2, Cleartext: record.Cleartext{{Key: "id", Value: "bmkA________"}, {Key: "type", Value: "bookmark"},
				{Key: "tags", Value: []string{"a", "b"}}, {Key: "dateAdded", Value: int64(1690000000000)}}},
			{ID: "gone________", Counter: 1, Tombstone: true, Cleartext: record.Cleartext{{Key: "id", Value: "gone________"}, {Key: "deleted", Value: true}}},
		},
		Conflicts: []Conflict{{ID: "value:bmkA________", Kind: "value", GUID: "bmkA________", Title: "line\nbreak\ttab",
			Alternatives: []Alternative{{ID: "local", Label: "keep"}, {ID: "remote", Label: "take"}}, Default: "remote", Current: "local",
			Decided: true, Choosable: true, Reason: "newer", Related: []string{"menu________"}}},
		Decisions: []Decision{{Seq: 1, GUID: "bmkA________", Kind: "value", Chosen: "local", Alternatives: []string{"local", "remote"}, LocalAge: -5, Conflict: true},
			{Seq: 2, GUID: "menu________", Kind: "structure"}},
		Notes: []string{"a note"},
	}
	full.Counts.Dupes = 4
	full.ApplyLocally.Values = []GUIDPair{{From: "a", To: "b"}}
	full.ApplyLocally.Moves = []Move{{GUID: "bmkA________", Parent: "menu________", Position: 0}}
	full.ApplyLocally.Tombstones = []string{}
	full.Upload.Items = []string{"bmkA________"}
	full.Deleted.Local = []string{"gone________"}
	full.Problems.Local = &SideReport{Items: 3, Extra: map[string]int{"z": 1, "a": 2}, Findings: []Finding{}}

	for _, tc := range []struct {
		name string
		m    *Merge
	}{
		{"zero", &Merge{}},
		{"empty lists", &Merge{Outgoing: []record.Outgoing{}, Conflicts: []Conflict{}, Decisions: []Decision{}, Notes: []string{}}},
		{"full", full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tc.m); err != nil {
				t.Fatal(err)
			}
			if err := tc.m.WriteIndented(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("WriteIndented wrote\n%s\nencoding/json writes\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
	// Every field of Merge is filled in full, so a field WriteIndented
	// left out would show above; this keeps the check honest.
	v := reflect.ValueOf(*full)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Errorf("the full case leaves %s empty", v.Type().Field(i).Name)
		}
	}
}
