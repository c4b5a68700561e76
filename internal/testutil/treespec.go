package testutil

import "github.com/bmtui/bmtui/sync/tree"

// TreeSpec is a small tree literal for hand-written tests: an item and its
// children, built with consistent structure records.
type TreeSpec struct {
	Item tree.Item
	Kids []TreeSpec
}

// Places is the Places root with the given children.
func Places(kids ...TreeSpec) TreeSpec { return Folder(tree.RootGUID, kids...) }

// Folder is a folder spec.
func Folder(guid string, kids ...TreeSpec) TreeSpec {
	return TreeSpec{Item: tree.Item{GUID: guid, Kind: tree.KindFolder}, Kids: kids}
}

// Bookmark is a bookmark spec.
func Bookmark(guid string) TreeSpec {
	return TreeSpec{Item: tree.Item{GUID: guid, Kind: tree.KindBookmark}}
}

// Changed sets needs_merge.
func (s TreeSpec) Changed() TreeSpec { s.Item.NeedsMerge = true; return s }

// Aged sets the age.
func (s TreeSpec) Aged(age int64) TreeSpec { s.Item.Age = age; return s }

// Validity sets the validity.
func (s TreeSpec) Validity(v tree.Validity) TreeSpec { s.Item.Validity = v; return s }

// Content sets dedupe content: a title and URL for bookmarks, a title for
// folders.
func (s TreeSpec) Content(title, url string) TreeSpec {
	c := &tree.Content{Kind: tree.ContentBookmark, Title: title, URL: url}
	if s.Item.Kind == tree.KindFolder {
		c = &tree.Content{Kind: tree.ContentFolder, Title: title}
	}
	s.Item.Content = c
	return s
}

// BuildSpec builds a tree from a spec rooted at the Places root, plus
// tombstones. Items are inserted in pre-order.
func BuildSpec(root TreeSpec, tombstones ...string) (*tree.Tree, error) {
	b := tree.NewBuilder(root.Item)
	type rec struct{ child, parent string }
	var recs []rec
	var add func(s TreeSpec) error
	add = func(s TreeSpec) error {
		for _, k := range s.Kids {
			if err := b.Item(k.Item); err != nil {
				return err
			}
			recs = append(recs, rec{k.Item.GUID, s.Item.GUID})
			if err := add(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(root); err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := b.Structure(r.child, r.parent); err != nil {
			return nil, err
		}
	}
	for _, g := range tombstones {
		b.Tombstone(g)
	}
	return b.Build()
}
