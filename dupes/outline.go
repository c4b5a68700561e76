package dupes

import (
	"errors"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// Outline is what Find needs of a reference: its folders, each with its
// children in order, and whether it has a GUID. A backup's outline is a
// small part of its tree (no bookmark titles, URLs or tags, one shared
// GUID table for all backups), so many backups fit where a few trees do.
type Outline struct {
	// Folders are the folders in pre-order, the Places root first.
	Folders []OutlineFolder
	index   map[string]int32
	set     *GUIDSet // the backups' presence table, or
	bit     uint64
	tree    *tree.Tree          // the reference's own tree, or
	own     map[string]struct{} // its GUIDs, until joined to a set
}

// OutlineFolder is one folder of an outline.
type OutlineFolder struct {
	Item   tree.Item // GUID, kind, and Info with the title and dates
	Parent int32     // index in Folders, -1 for the root
	Level  int32     // 0 for the root
	// Children are the GUIDs of its children in order, folders too.
	Children []string
	// Sub are its child folders, as indices in Folders, in order.
	Sub []int32
}

// Folder returns the folder with this GUID, or nil.
func (o *Outline) Folder(guid string) *OutlineFolder {
	if i, ok := o.index[guid]; ok {
		return &o.Folders[i]
	}
	return nil
}

func (o *Outline) isFolder(guid string) bool {
	_, ok := o.index[guid]
	return ok
}

// Has reports whether the reference has an item with this GUID.
func (o *Outline) Has(guid string) bool {
	switch {
	case o.tree != nil:
		return o.tree.Lookup(guid) != nil
	case o.own != nil:
		_, ok := o.own[guid]
		return ok
	}
	return o.set.mask(guid)&o.bit != 0
}

// path is the titles from the built-in root down to the folder at i.
func (o *Outline) path(i int32) string {
	var parts []string
	for ; i >= 0 && o.Folders[i].Parent >= 0; i = o.Folders[i].Parent {
		parts = append(parts, displayTitle(&o.Folders[i].Item))
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// MaxOutlines is how many outlines one GUIDSet records.
const MaxOutlines = 64

// ErrTooManyOutlines is returned past MaxOutlines.
var ErrTooManyOutlines = errors.New("a GUID set records at most 64 outlines")

// GUIDSet records which outlines have each GUID, in one table for all:
// a profile's backups share most of their GUIDs. Not safe for
// concurrent use; Find only reads it.
type GUIDSet struct {
	ids   map[string]int32
	guids []string
	masks []uint64
	n     int
}

// NewGUIDSet returns an empty set, sized for about n GUIDs.
func NewGUIDSet(n int) *GUIDSet {
	return &GUIDSet{ids: make(map[string]int32, n), guids: make([]string, 0, n), masks: make([]uint64, 0, n)}
}

func (s *GUIDSet) mask(guid string) uint64 {
	if id, ok := s.ids[guid]; ok {
		return s.masks[id]
	}
	return 0
}

// OutlineBuilder builds one outline on its own, so that several can be
// built at once; GUIDSet.Join then records it with the others.
type OutlineBuilder struct {
	o *Outline
}

// NewOutlineBuilder starts an outline of about n items.
func NewOutlineBuilder(n int) *OutlineBuilder {
	return &OutlineBuilder{o: &Outline{index: map[string]int32{}, own: make(map[string]struct{}, n)}}
}

// Item records that the reference has guid; false when it already did
// (a GUID twice: the first one counts).
func (b *OutlineBuilder) Item(guid string) bool {
	if _, dup := b.o.own[guid]; dup {
		return false
	}
	b.o.own[guid] = struct{}{}
	return true
}

// Folder adds a folder under the folder at parent (-1 for the root) and
// returns its index. Folders come parents first, each recorded as an
// item too; children are the GUIDs of its children Item recorded.
func (b *OutlineBuilder) Folder(it tree.Item, parent int32, children []string) int32 {
	o := b.o
	b.Item(it.GUID)
	it.Kind = tree.KindFolder
	i := int32(len(o.Folders))
	f := OutlineFolder{Item: it, Parent: parent, Children: children}
	if parent >= 0 {
		f.Level = o.Folders[parent].Level + 1
		o.Folders[parent].Sub = append(o.Folders[parent].Sub, i)
	}
	o.Folders = append(o.Folders, f)
	if _, dup := o.index[it.GUID]; !dup {
		o.index[it.GUID] = i
	}
	return i
}

// Outline returns the outline built.
func (b *OutlineBuilder) Outline() *Outline { return b.o }

// Join records o's GUIDs in s, under a bit of its own, and makes o share
// s's copy of each GUID and drop its own table.
func (s *GUIDSet) Join(o *Outline) error {
	if s.n >= MaxOutlines {
		return ErrTooManyOutlines
	}
	if o.own == nil {
		return errors.New("the outline is not a builder's, or is joined already")
	}
	bit := uint64(1) << s.n
	s.n++
	intern := func(guid string) string {
		id, ok := s.ids[guid]
		if !ok {
			id = int32(len(s.guids))
			s.ids[guid] = id
			s.guids = append(s.guids, guid)
			s.masks = append(s.masks, 0)
		}
		s.masks[id] |= bit
		return s.guids[id]
	}
	for i := range o.Folders {
		f := &o.Folders[i]
		f.Item.GUID = intern(f.Item.GUID)
		for k, c := range f.Children {
			f.Children[k] = intern(c)
		}
	}
	o.own, o.set, o.bit = nil, s, bit
	return nil
}

// OutlineOf is the outline of a whole tree; Has looks in the tree.
func OutlineOf(t *tree.Tree) *Outline {
	o := &Outline{index: map[string]int32{}, tree: t}
	var add func(i, parent int32, level int32)
	add = func(i, parent, level int32) {
		n := t.Node(i)
		fi := int32(len(o.Folders))
		f := OutlineFolder{Item: n.Item, Parent: parent, Level: level}
		var sub []int32
		for _, c := range t.Children(i) {
			if c < 0 || t.Node(c).Parent != i {
				continue // a repeated reference
			}
			f.Children = append(f.Children, t.Node(c).GUID)
			if t.Node(c).Kind == tree.KindFolder {
				sub = append(sub, c)
			}
		}
		o.Folders = append(o.Folders, f)
		o.index[n.GUID] = fi
		if parent >= 0 {
			o.Folders[parent].Sub = append(o.Folders[parent].Sub, fi)
		}
		for _, c := range sub {
			add(c, fi, level+1)
		}
	}
	if t.Len() > 0 {
		add(0, -1, 0)
	}
	return o
}
