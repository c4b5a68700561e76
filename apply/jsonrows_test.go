package apply

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"unicode/utf8"
)

// TestAppendJSONRows holds the hand-written encoder to encoding/json: the
// same rows decode to the same values, for every type the steps stage and
// one it leaves to encoding/json.
func TestAppendJSONRows(t *testing.T) {
	rows := [][]any{
		{"plain", int64(1), 2, true, false, nil},
		{`q"uo\te`, "tab\tnl\n\x01\x1f\x00", "<&>'\u2028\u2029", "日本語✓", "\x7f", ""},
		{int64(math.MaxInt64), int64(math.MinInt64), int64(1<<53 + 1), -1, 0, int32(7)},
		{3.5, "end"},
	}
	for _, rs := range [][][]any{rows, {}, {{}}} {
		got, err := appendJSONRows(nil, rs)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("appendJSONRows = %s, decodes to %v; encoding/json %s, %v", got, g, want, w)
		}
	}
}

// FuzzAppendJSONString: any valid UTF-8 string decodes back unchanged.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "\x00\x1f\x7f", "héllo✓\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		js := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("%q → %s: %v", s, js, err)
		}
		if back != s {
			t.Fatalf("%q → %s → %q", s, js, back)
		}
	})
}

// BenchmarkStagingJSON: the JSON of the first sync's largest staging
// (40,000 rows like applyOps'), by encoding/json and by appendJSONRows.
func BenchmarkStagingJSON(b *testing.B) {
	rows := make([][]any, 40000)
	for i := range rows {
		rows[i] = []any{NewGUID(), NewGUID(), NewGUID(), i % 7, i%2 == 0, int64(i)}
	}
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(rows); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			if _, err := appendJSONRows(make([]byte, 0, len(rows)*(2+6*16)), rows); err != nil {
				b.Fatal(err)
			}
		}
	})
}
