package prefs

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := `// Mozilla User Preferences
/* a block
   comment */
# hash comment
user_pref("places.database.lastPlacesCorruptionInDaysFromEpoch", 20400);
user_pref("places.database.replaceDatabaseOnStartup", true);
user_pref("services.sync.declinedEngines", "passwords,bookmarks");
user_pref("services.sync.lastSync", "Sat Dec 05 2026 05:00:00 GMT+0000");
user_pref("quoted", "a \"b\" \\ c\n\x41\u00e9\ud83d\ude80");
user_pref('single', 'it\'s');
pref("negative", -5);
sticky_pref("s", false);
pref("attr", 1, locked);
user_pref("twice", 1);
user_pref("twice", 2);
`
	f := Parse([]byte(src))
	if len(f.Malformed) != 0 {
		t.Fatalf("malformed: %v", f.Malformed)
	}
	tests := []struct {
		name string
		want Value
		line int
	}{
		{"places.database.lastPlacesCorruptionInDaysFromEpoch", Value{Kind: Int, Int: 20400}, 5},
		{"places.database.replaceDatabaseOnStartup", Value{Kind: Bool, Bool: true}, 6},
		{"services.sync.declinedEngines", Value{Kind: String, Str: "passwords,bookmarks"}, 7},
		{"quoted", Value{Kind: String, Str: "a \"b\" \\ c\nAé🚀"}, 9},
		{"single", Value{Kind: String, Str: "it's"}, 10},
		{"negative", Value{Kind: Int, Int: -5}, 11},
		{"s", Value{Kind: Bool}, 12},
		{"attr", Value{Kind: Int, Int: 1}, 13},
		{"twice", Value{Kind: Int, Int: 2}, 15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := f.Get(tc.name)
			if !ok {
				t.Fatalf("%s missing", tc.name)
			}
			if got != tc.want {
				t.Errorf("%s = %#v, want %#v", tc.name, got, tc.want)
			}
			line := 0
			for _, p := range f.WithPrefix(tc.name) {
				if p.Name == tc.name {
					line = p.Line
				}
			}
			if line != tc.line {
				t.Errorf("%s on line %d, want %d", tc.name, line, tc.line)
			}
		})
	}
	if got := len(f.WithPrefix("places.database.")); got != 2 {
		t.Errorf("WithPrefix(places.database.) = %d prefs, want 2", got)
	}
}

func TestMalformedLinesAreReportedAndSkipped(t *testing.T) {
	tests := []struct {
		name, line, msg string
	}{
		{"no semicolon", `user_pref("a", 1)`, "expected ;"},
		{"unclosed string", `user_pref("a, 1);`, "string not closed"},
		{"name not a string", `user_pref(a, 1);`, "expected the pref's name"},
		{"code", `alert("hi");`, "expected user_pref"},
		{"bad value", `user_pref("a", null);`, "expected a value"},
		{"bad escape", `user_pref("a", "\q");`, "unknown escape"},
		{"huge number", `user_pref("a", 99999999999);`, "out of range"},
		{"stray char", `user_pref("a", 1) @;`, "unexpected character"},
		{"broken surrogate", `user_pref("a", "\ud83dx");`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "user_pref(\"before\", 1);\n" + tc.line + "\nuser_pref(\"after\", true);\n"
			f := Parse([]byte(src))
			if _, ok := f.Get("before"); !ok {
				t.Error("the line before was lost")
			}
			if _, ok := f.Get("after"); !ok {
				t.Errorf("the line after was lost (malformed: %v)", f.Malformed)
			}
			if tc.msg == "" {
				return
			}
			if len(f.Malformed) != 1 || f.Malformed[0].Line != 2 || !strings.Contains(f.Malformed[0].Msg, tc.msg) {
				t.Errorf("malformed = %v, want one on line 2 saying %q", f.Malformed, tc.msg)
			}
		})
	}
}

func TestUnclosedCommentEndsTheFile(t *testing.T) {
	f := Parse([]byte("user_pref(\"a\", 1);\n/* never closed\nuser_pref(\"b\", 2);\n"))
	if _, ok := f.Get("a"); !ok {
		t.Error("a lost")
	}
	if len(f.Malformed) != 1 || !strings.Contains(f.Malformed[0].Msg, "comment never closed") {
		t.Errorf("malformed = %v", f.Malformed)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`user_pref("a", "b\u00e9");`))
	f.Add([]byte("pref('x', -1, sticky);\n/* c */ # d\n"))
	f.Add([]byte(`user_pref("a", "\ud83d\ude80"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Parse(data)
		if len(p.Malformed) > maxErrors {
			t.Fatalf("%d errors kept", len(p.Malformed))
		}
		for _, pr := range p.Prefs {
			if pr.Line < 1 || pr.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("line %d out of range", pr.Line)
			}
			if v, ok := p.Get(pr.Name); !ok || v.Kind == 0 {
				t.Fatalf("%q: not retrievable", pr.Name)
			}
		}
	})
}
