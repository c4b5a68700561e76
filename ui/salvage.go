package ui

import (
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/treepane"
)

// SalvagePlan is what the salvage screen shows of a damaged profile: plain
// data the caller made from its scan and rebuild (the ui package reads no
// file and writes none).
type SalvagePlan struct {
	// Why says what is damaged, one line per finding.
	Why     []string
	Sources []SalvageSource
	// Items is the rebuilt tree, each item naming its parent; children
	// keep their order in this list.
	Items  []SalvageItem
	Counts SalvageCounts
	// Write writes the rebuilt database in place of the damaged one and
	// says what it did. It runs in a command. nil: this session may not
	// write (a viewer), and the write key stays disabled.
	Write func() (string, error)
}

// SalvageSource is what one source of the profile gave.
type SalvageSource struct {
	Name, Kind string
	// Err says why nothing could be read ("" when something was).
	Err string
	// Read lists the rows read, e.g. "412 bookmarks, 3 000 pages".
	Read         string
	DamagedPages int
	// Complete: its set of bookmark GUIDs is exact.
	Complete bool
}

// SalvageOrigin is where a rebuilt item comes from, as the tree marks it.
type SalvageOrigin int

const (
	OriginPage        SalvageOrigin = iota // a readable page of a database
	OriginWAL                              // a committed WAL frame
	OriginBackup                           // a bookmarks backup
	OriginMirror                           // the Sync mirror
	OriginRecovered                        // its folder was lost: placed in Recovered
	OriginOlderBackup                      // only an older backup holds it
)

// String is the mark the tree shows.
func (o SalvageOrigin) String() string {
	switch o {
	case OriginWAL:
		return "WAL"
	case OriginBackup:
		return "backup"
	case OriginMirror:
		return "mirror"
	case OriginRecovered:
		return "recovered"
	case OriginOlderBackup:
		return "older backup"
	}
	return "page"
}

// SalvageItem is one item of the rebuilt tree with its provenance.
type SalvageItem struct {
	GUID, ParentGUID string
	Kind             tree.Kind
	Title, URL       string
	Origin           SalvageOrigin
	// From names where its values were read ("places.sqlite page 7").
	From string
	// Placement says how its place was decided.
	Placement string
}

// SalvageCounts are what the write confirmation shows.
type SalvageCounts struct {
	Items       int // items of the rebuilt tree
	FromBackups int // items whose values come from a backup
	Recovered   int // items placed in the Recovered folder
	LeftDeleted int // items a source holds that stay deleted
}

// salvageSource shows the rebuilt tree in a tree pane: node 0 the hidden
// root, then the items in pre-order.
type salvageSource struct {
	treepane.Outline
	items []*SalvageItem // nil for node 0
	depth []int
	index map[string]int
}

// newSalvageSource lists items in pre-order under their parents. An item
// whose parent is not in the list (or a cycle) hangs under the root, so
// every item is shown once.
func newSalvageSource(items []SalvageItem) *salvageSource {
	children := map[string][]int{}
	known := make(map[string]bool, len(items))
	parents := map[string]bool{}
	for i := range items {
		known[items[i].GUID] = true
		parents[items[i].ParentGUID] = true
	}
	// The built-in roots every profile has, when the plan only names them.
	var roots []SalvageItem
	for _, g := range []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID} {
		if parents[g] && !known[g] {
			roots = append(roots, SalvageItem{GUID: g, ParentGUID: tree.RootGUID, Kind: tree.KindFolder})
			known[g] = true
		}
	}
	if len(roots) > 0 {
		items = append(roots, items...)
	}
	var top []int
	for i := range items {
		it := &items[i]
		if it.GUID == tree.RootGUID {
			continue
		}
		if known[it.ParentGUID] && it.ParentGUID != it.GUID {
			children[it.ParentGUID] = append(children[it.ParentGUID], i)
		} else {
			top = append(top, i)
		}
	}
	s := &salvageSource{items: []*SalvageItem{nil}, depth: []int{0}, index: map[string]int{}}
	seen := make([]bool, len(items))
	var walk func(i, d int)
	walk = func(i, d int) {
		if seen[i] {
			return
		}
		seen[i] = true
		s.index[items[i].GUID] = len(s.items)
		s.items = append(s.items, &items[i])
		s.depth = append(s.depth, d)
		for _, c := range children[items[i].GUID] {
			walk(c, d+1)
		}
	}
	for _, i := range children[tree.RootGUID] {
		walk(i, 1)
	}
	for _, i := range top {
		walk(i, 1)
	}
	// Items on a cycle were never reached from the root.
	for i := range items {
		if !seen[i] && items[i].GUID != tree.RootGUID {
			walk(i, 1)
		}
	}
	s.Outline = treepane.NewOutline(len(s.items), func(i int) int { return s.depth[i] })
	return s
}

func (s *salvageSource) Len() int        { return len(s.items) }
func (s *salvageSource) Depth(i int) int { return s.depth[i] }
func (s *salvageSource) item(i int) *SalvageItem {
	if i <= 0 || i >= len(s.items) {
		return nil
	}
	return s.items[i]
}

func (s *salvageSource) GUID(i int) string {
	if it := s.item(i); it != nil {
		return it.GUID
	}
	return tree.RootGUID
}

func (s *salvageSource) Index(guid string) (int, bool) {
	if guid == tree.RootGUID {
		return 0, true
	}
	i, ok := s.index[guid]
	return i, ok
}

// Item marks every row with its origin; the ones that need a look
// (placed in Recovered, only in an older backup) stand out.
func (s *salvageSource) Item(i int, th *themes.Theme) treepane.Item {
	it := s.item(i)
	if it == nil {
		return treepane.Item{Kind: tree.KindFolder, Label: "root"}
	}
	if tree.RootTitle(it.GUID) != "" {
		return treepane.Item{Kind: tree.KindFolder, Label: salvageLabel(it)}
	}
	st := &th.Styles
	badge := st.Muted
	switch it.Origin {
	case OriginRecovered, OriginOlderBackup:
		badge = st.Warning
	case OriginBackup, OriginMirror, OriginWAL:
		badge = st.Info
	}
	return treepane.Item{Kind: it.Kind, Label: salvageLabel(it), Badges: []treepane.Badge{{Text: it.Origin.String(), Style: badge}}}
}

func (s *salvageSource) Haystack(i int) string {
	it := s.item(i)
	if it == nil {
		return ""
	}
	return strings.ToLower(it.Title + " " + it.URL + " " + it.GUID)
}

func salvageLabel(it *SalvageItem) string {
	if name := tree.RootTitle(it.GUID); name != "" {
		return name
	}
	switch {
	case it.Title != "":
		return common.SingleLine(it.Title)
	case it.URL != "":
		return common.SingleLine(it.URL)
	case it.Kind == tree.KindSeparator:
		return "────"
	}
	return "(untitled)"
}

// salvageWhy is the why pane's text for it: where its values were read,
// how its place was decided.
func salvageWhy(it *SalvageItem, parent string) []string {
	if it == nil {
		return []string{"Select an item to see where it comes from."}
	}
	if tree.RootTitle(it.GUID) != "" {
		return []string{salvageLabel(it), "", "A built-in root: every profile has it."}
	}
	lines := []string{salvageLabel(it)}
	if it.URL != "" && it.Title != "" {
		lines = append(lines, it.URL)
	}
	lines = append(lines, "", "origin: "+it.Origin.String(), "read from: "+it.From)
	place := it.Placement
	if place == "" {
		place = "where its source puts it"
	}
	lines = append(lines, fmt.Sprintf("placed in %s: %s", parent, place))
	switch it.Origin {
	case OriginOlderBackup:
		lines = append(lines, "", "No newer source holds it: it may have been changed or deleted since that backup.")
	case OriginRecovered:
		lines = append(lines, "", "Its folder was lost and no backup or mirror knows it: it goes to Recovered under Other Bookmarks.")
	}
	return lines
}
