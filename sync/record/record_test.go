package record

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestParseKeepsOrder(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"id":"menu","type":"folder","children":["a","b"]}`, `{"id":"menu","type":"folder","children":["a","b"]}`},
		{`{"z":1,"a":2.50,"m":null}`, `{"z":1,"a":2.50,"m":null}`},
		{`{"k":1,"k":2}`, `{"k":2}`}, // a repeated key keeps its first place
		{`{}`, `{}`},
	}
	for _, tt := range tests {
		c, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, err := json.Marshal(c)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %s (%v), want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`[]`, `"x"`, `{"a":`, ``} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestID(t *testing.T) {
	for guid, want := range map[string]string{"root________": "places", "menu________": "menu", "toolbar_____": "toolbar", "unfiled_____": "unfiled", "mobile______": "mobile", "tags________": "tags", "bmkAAAAAAAAA": "bmkAAAAAAAAA"} {
		if got := ID(guid); got != want {
			t.Errorf("ID(%s) = %s, want %s", guid, got, want)
		}
		if back := GUID(want); back != guid {
			t.Errorf("GUID(%s) = %s, want %s", want, back, guid)
		}
	}
}

// FuzzParse: whatever parses marshals to JSON that parses to the same
// fields.
func FuzzParse(f *testing.F) {
	f.Add(`{"id":"a","tags":["x"],"n":1e3}`)
	f.Add(`{"a":{"b":[1,2,{"c":null}]}}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal %q: %v", s, err)
		}
		c2, err := Parse(string(b))
		if err != nil || len(c2) != len(c) {
			t.Fatalf("%q -> %s -> %v (%v)", s, b, c2, err)
		}
		for i := range c {
			if c[i].Key != c2[i].Key {
				t.Fatalf("key %d: %q vs %q", i, c[i].Key, c2[i].Key)
			}
		}
	})
}

// TestAppendJSONIsMarshal: the direct encoder writes what json.Marshal
// writes, byte for byte, for every value type and every string escape.
func TestAppendJSONIsMarshal(t *testing.T) {
	strs := []string{"", "plain text 123", `quote " and \ slash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\x7f",
		"Zürich — 東京 🙂", "bad \xff utf8", "line\u2028sep\u2029", "/path?a=1&b=2"}
	var recs []Outgoing
	for i, s := range strs {
		recs = append(recs, Outgoing{ID: s, Counter: int64(i - 3), Tombstone: i%2 == 0, Synced: i%3 == 0,
			Cleartext: Cleartext{{Key: "id", Value: s}, {Key: s, Value: i}, {Key: "n", Value: int64(-1) << 62},
				{Key: "b", Value: i%2 == 1}, {Key: "tags", Value: []string{s, "x"}}, {Key: "none", Value: []string(nil)},
				{Key: "empty", Value: []string{}}, {Key: "raw", Value: json.RawMessage(` { "a" : [1, "<` + "x" + `>"] } `)},
				{Key: "f", Value: 1.5}, {Key: "nil", Value: nil}, {Key: "nested", Value: Cleartext{{Key: "k", Value: s}}}}})
	}
	recs = append(recs, Outgoing{ID: "tomb"}, Outgoing{ID: "empty", Cleartext: Cleartext{}})
	for _, r := range recs {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
		}
		if got, err := r.Cleartext.MarshalJSON(); err != nil || !bytes.Equal(got, fieldByField(t, r.Cleartext)) {
			t.Errorf("MarshalJSON: got %s, want %s (%v)", got, fieldByField(t, r.Cleartext), err)
		}
	}
}

// fieldByField is Cleartext.MarshalJSON as it was: json.Marshal of each
// key and value.
func fieldByField(t *testing.T, c Cleartext) []byte {
	b := []byte{'{'}
	for i, f := range c {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(f.Key)
		v, err := json.Marshal(f.Value)
		if err != nil {
			t.Fatal(err)
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}')
}
