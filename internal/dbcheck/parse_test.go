package dbcheck

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		rows []string
		want []Message
	}{
		{"sound", []string{"ok"}, nil},
		{"header only", []string{"*** in database main ***"}, nil},
		{"cell, one row of lines", []string{"*** in database main ***\nTree 6 page 562 cell 6: Extends off end of page\nTree 6 page 562 cell 5: Extends off end of page"}, []Message{
			{Root: 6, Page: 562, Line: "Tree 6 page 562 cell 6: Extends off end of page"},
			{Root: 6, Page: 562, Line: "Tree 6 page 562 cell 5: Extends off end of page"},
		}},
		{"page", []string{"Tree 4 page 58: free space corruption"}, []Message{{Root: 4, Page: 58, Line: "Tree 4 page 58: free space corruption"}}},
		{"right child", []string{"Tree 21 page 300 right child: invalid page number 99999"}, []Message{{Root: 21, Page: 300, Line: "Tree 21 page 300 right child: invalid page number 99999"}}},
		{"invalid page is not the damaged one", []string{"Tree 6 page 70 cell 1655: invalid page number 3065832319"}, []Message{{Root: 6, Page: 70, Line: "Tree 6 page 70 cell 1655: invalid page number 3065832319"}}},
		{"byte of page", []string{"Multiple uses for byte 16401 of page 70"}, []Message{{Page: 70, Line: "Multiple uses for byte 16401 of page 70"}}},
		{"fragmentation", []string{"Fragmentation of 3 bytes reported as 0 on page 12"}, []Message{{Page: 12, Line: "Fragmentation of 3 bytes reported as 0 on page 12"}}},
		{"never used", []string{"Page 40: never used"}, []Message{{Page: 40, Line: "Page 40: never used"}}},
		{"old cell prefix", []string{"On tree page 24 cell 32: Extends off end of page"}, []Message{{Page: 24, Line: "On tree page 24 cell 32: Extends off end of page"}}},
		{"old right child", []string{"On page 9 at right child: invalid page number 0"}, []Message{{Page: 9, Line: "On page 9 at right child: invalid page number 0"}}},
		{"index count", []string{"wrong # of entries in index moz_places_url_hashindex"}, []Message{{Object: "moz_places_url_hashindex", Line: "wrong # of entries in index moz_places_url_hashindex"}}},
		{"missing row", []string{"row 713 missing from index moz_bookmarks_guid_uniqueindex"}, []Message{{Object: "moz_bookmarks_guid_uniqueindex", Line: "row 713 missing from index moz_bookmarks_guid_uniqueindex"}}},
		{"non-unique", []string{"non-unique entry in index sqlite_autoindex_items_1"}, []Message{{Object: "sqlite_autoindex_items_1", Line: "non-unique entry in index sqlite_autoindex_items_1"}}},
		{"null column", []string{"NULL value in moz_places.url_hash"}, []Message{{Object: "moz_places", Line: "NULL value in moz_places.url_hash"}}},
		{"check constraint", []string{"CHECK constraint failed in items"}, []Message{{Object: "items", Line: "CHECK constraint failed in items"}}},
		{"malformed", []string{"database disk image is malformed (11)"}, []Message{{Line: "database disk image is malformed (11)"}}},
		{"freelist", []string{"Freelist: size is 3 but should be 4"}, []Message{{Line: "Freelist: size is 3 but should be 4"}}},
		{"bad numbers", []string{"Tree x page y: z", "Page 0: never used", "Tree 99999999999999999999 page 1: z"}, []Message{
			{Line: "Tree x page y: z"}, {Line: "Page 0: never used"}, {Line: "Tree 99999999999999999999 page 1: z"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Parse(c.rows); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", c.rows, got, c.want)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	l := Layout{
		Roots: map[int64]Object{
			2: {"table", "moz_origins"},
			4: {"table", "moz_places"},
			6: {"index", "moz_places_url_hashindex"},
		},
		Owners: map[int64]Object{70: {"index", "moz_places_url_hashindex"}},
	}
	cases := []struct {
		name  string
		lines []string
		want  []Damage
		text  string
	}{
		{"sound", []string{"ok"}, nil, ""},
		{"one index, pages merged", []string{
			"*** in database main ***\nTree 6 page 562 cell 6: Extends off end of page\nTree 6 page 37 cell 5: Extends off end of page\nTree 6 page 562 cell 4: Extends off end of page",
			"wrong # of entries in index moz_places_url_hashindex",
		}, []Damage{{File: "/p/places.sqlite", Type: "index", Object: "moz_places_url_hashindex", Pages: []int64{37, 562},
			Detail: "Tree 6 page 562 cell 6: Extends off end of page (and 3 more lines)"}},
			"places.sqlite is damaged (index moz_places_url_hashindex, pages 37, 562)"},
		{"page owner through dbstat, generic line dropped", []string{"Multiple uses for byte 16401 of page 70", "database disk image is malformed"},
			[]Damage{{File: "/p/places.sqlite", Type: "index", Object: "moz_places_url_hashindex", Pages: []int64{70}, Detail: "Multiple uses for byte 16401 of page 70"}},
			"places.sqlite is damaged (index moz_places_url_hashindex, page 70)"},
		{"two objects in report order", []string{"Tree 4 page 58: free space corruption", "Tree 2 page 2 cell 1: Rowid 90 out of order"}, []Damage{
			{File: "/p/places.sqlite", Type: "table", Object: "moz_places", Pages: []int64{58}, Detail: "Tree 4 page 58: free space corruption"},
			{File: "/p/places.sqlite", Type: "table", Object: "moz_origins", Pages: []int64{2}, Detail: "Tree 2 page 2 cell 1: Rowid 90 out of order"},
		}, "places.sqlite is damaged (table moz_places, page 58; table moz_origins, page 2)"},
		{"unknown page", []string{"Page 40: never used"}, []Damage{{File: "/p/places.sqlite", Pages: []int64{40}, Detail: "Page 40: never used"}},
			"places.sqlite is damaged (page 40)"},
		{"nothing named", []string{"database disk image is malformed (11)"}, []Damage{{File: "/p/places.sqlite", Detail: "database disk image is malformed (11)"}},
			"places.sqlite is damaged"},
		{"index named but not in the layout", []string{"wrong # of entries in index gone"}, []Damage{{File: "/p/places.sqlite", Type: "index", Object: "gone", Detail: "wrong # of entries in index gone"}},
			"places.sqlite is damaged (index gone)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Group("/p/places.sqlite", Parse(c.lines), l)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Group\n got %+v\nwant %+v", got, c.want)
			}
			if s := Summary(got); s != c.text {
				t.Errorf("Summary = %q, want %q", s, c.text)
			}
		})
	}
}

func TestWhereShortens(t *testing.T) {
	var ds []Damage
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		ds = append(ds, Damage{File: "p.sqlite", Type: "index", Object: n})
	}
	if got, want := Where(ds), "index a; index b; index c; and 2 more"; got != want {
		t.Errorf("Where = %q, want %q", got, want)
	}
	if got, want := Summary(ds), "p.sqlite is damaged (index a; index b; index c; and 2 more)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

func TestPageList(t *testing.T) {
	d := Damage{File: "b/bookmarks.sqlite", Type: "table", Object: "items", Pages: []int64{1, 2, 3, 4, 5, 6, 7}}
	if got, want := d.String(), "bookmarks.sqlite is damaged (table items, pages 1, 2, 3, 4, 5 and 2 more)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

// FuzzParse: any report parses without panicking, every message keeps its
// line, and the numbers it finds are positive.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ok", "*** in database main ***\nTree 6 page 562 cell 6: Extends off end of page",
		"Multiple uses for byte 16401 of page 70", "Page 40: never used", "On tree page 1 cell 2: x",
		"row 1 missing from index i", "NULL value in t.c", "Tree 1 page", "Tree ", "Page -3: x",
	} {
		f.Add(s)
	}
	l := Layout{Roots: map[int64]Object{1: {"table", "sqlite_schema"}}, Owners: map[int64]Object{}}
	f.Fuzz(func(t *testing.T, report string) {
		msgs := Parse([]string{report})
		for _, m := range msgs {
			if m.Root < 0 || m.Page < 0 {
				t.Fatalf("negative number in %+v", m)
			}
			if m.Line == "" || strings.Contains(m.Line, "\n") || !strings.Contains(report, m.Line) {
				t.Fatalf("line %q is not one line of the report", m.Line)
			}
		}
		ds := Group("f.sqlite", msgs, l)
		if len(msgs) > 0 && len(ds) == 0 {
			t.Fatal("messages but no damage")
		}
		if s := Summary(ds); strings.Contains(s, "\n") {
			t.Fatalf("summary is not one line: %q", s)
		}
	})
}
