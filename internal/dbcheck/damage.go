package dbcheck

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Damage is what SQLite's check found wrong in one table or index of a
// file (or in the file itself, when its lines name no b-tree).
//
// It is the one description of damage in bmtui: the structural check on
// open fills it from SQLite's lines, salvage's page reader from its own.
type Damage struct {
	File   string  `json:"file,omitempty"`       // the database file, as the user named it
	Type   string  `json:"objectType,omitempty"` // "table" or "index"; "" when no b-tree is named
	Object string  `json:"object,omitempty"`     // the table or index; "" when none is named
	Pages  []int64 `json:"pages,omitempty"`      // the damaged pages, ascending; empty when none is named
	Detail string  `json:"detail"`               // what was found (SQLite's first line, and how many more)
}

// Where says where the damage is, e.g. "index moz_places_url_hashindex,
// page 37" ("" when SQLite said neither).
func (d Damage) Where() string {
	var parts []string
	if d.Object != "" {
		parts = append(parts, strings.TrimSpace(d.Type+" "+d.Object))
	}
	if p := pageList(d.Pages); p != "" {
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// String is "places.sqlite is damaged (index I, page 37)".
func (d Damage) String() string { return Summary([]Damage{d}) }

// Summary says in one line which files of ds are damaged and where, e.g.
// "places.sqlite is damaged (index moz_places_url_hashindex, page 37)".
// Files are named by their base names; "" for no damage.
func Summary(ds []Damage) string {
	var files []string
	where := map[string][]string{}
	for _, d := range ds {
		name := filepath.Base(d.File)
		if _, ok := where[name]; !ok {
			files = append(files, name)
			where[name] = nil
		}
		if w := d.Where(); w != "" {
			where[name] = append(where[name], w)
		}
	}
	parts := make([]string, 0, len(files))
	for _, f := range files {
		s := f + " is damaged"
		if w := where[f]; len(w) > 0 {
			s += " (" + joinMax(w) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// Where joins the places of ds, e.g. "index I, page 37; table T, page 2"
// ("" when none is known).
func Where(ds []Damage) string {
	var w []string
	for _, d := range ds {
		if s := d.Where(); s != "" {
			w = append(w, s)
		}
	}
	return joinMax(w)
}

// joinMax joins the first three places and counts the rest, so that a
// line stays readable when one damaged table upsets all its indexes.
func joinMax(w []string) string {
	const show = 3
	if len(w) <= show {
		return strings.Join(w, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(w[:show], "; "), len(w)-show)
}

func pageList(pages []int64) string {
	const show = 5
	var b strings.Builder
	switch len(pages) {
	case 0:
		return ""
	case 1:
		b.WriteString("page ")
	default:
		b.WriteString("pages ")
	}
	for i, p := range pages[:min(len(pages), show)] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, p)
	}
	if len(pages) > show {
		fmt.Fprintf(&b, " and %d more", len(pages)-show)
	}
	return b.String()
}

// Object is a b-tree of the file: a table or an index.
type Object struct {
	Type string // "table" or "index"
	Name string
}

// Layout is what Group needs to name the b-trees SQLite's lines point at.
type Layout struct {
	Roots  map[int64]Object // root page → b-tree (sqlite_schema)
	Owners map[int64]Object // any other page → the b-tree holding it (dbstat)
}

func (l Layout) byName(name string) (Object, bool) {
	for _, o := range l.Roots {
		if o.Name == name {
			return o, true
		}
	}
	return Object{}, false
}

// malformed is SQLite's generic line, which adds nothing when others say
// where the damage is.
const malformed = "database disk image is malformed"

// Group gathers messages into one Damage per b-tree, in the order SQLite
// first reported them, naming each through l.
func Group(file string, msgs []Message, l Layout) []Damage {
	var out []Damage
	index := map[Object]int{}
	lines := map[Object]int{}
	for _, m := range msgs {
		if len(msgs) > 1 && strings.HasPrefix(m.Line, malformed) {
			continue
		}
		obj := l.resolve(m)
		i, ok := index[obj]
		if !ok {
			i = len(out)
			index[obj] = i
			out = append(out, Damage{File: file, Type: obj.Type, Object: obj.Name, Detail: m.Line})
		}
		lines[obj]++
		if m.Page > 0 && !slices.Contains(out[i].Pages, m.Page) {
			out[i].Pages = append(out[i].Pages, m.Page)
		}
	}
	for obj, i := range index {
		slices.Sort(out[i].Pages)
		if n := lines[obj] - 1; n > 0 {
			out[i].Detail += fmt.Sprintf(" (and %d more %s)", n, plural(n, "line"))
		}
	}
	return out
}

func (l Layout) resolve(m Message) Object {
	if m.Root > 0 {
		if o, ok := l.Roots[m.Root]; ok {
			return o
		}
		if o, ok := l.Owners[m.Root]; ok {
			return o
		}
	}
	if m.Object != "" {
		if o, ok := l.byName(m.Object); ok {
			return o
		}
		typ := "table"
		if strings.Contains(m.Line, "index "+m.Object) {
			typ = "index"
		}
		return Object{Type: typ, Name: m.Object}
	}
	return l.Owners[m.Page]
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
