package record

import (
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
