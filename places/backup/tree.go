package backup

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// ErrNotBookmarkTree is wrapped by Tree when well-formed JSON is not a
// bookmark backup.
var ErrNotBookmarkTree = errors.New("not a Firefox bookmark backup")

// Tree builds the bookmark tree a backup holds, with ages measured against
// nowMs (ms since the epoch), through the same builder as the databases'
// trees. The top object must be the Places root. Items the builder cannot
// take (a GUID twice, an unknown type) are left out and told in notes;
// an item without a GUID (backups older than Firefox 35) gets one made
// from its place in the tree, also noted.
func Tree(root *Node, nowMs int64) (*tree.Tree, []string, error) {
	if root == nil || root.GUID != RootGUID || !isFolder(root) {
		guid := ""
		if root != nil {
			guid = root.GUID
		}
		return nil, nil, fmt.Errorf("%w: the top object is not the Places root (guid %q)", ErrNotBookmarkTree, guid)
	}
	rootItem, _ := treeItem(root, nowMs)
	b := tree.NewBuilderSized(rootItem, root.Count())
	var notes []string
	made, unknown := 0, 0
	var add func(parent string, n *Node, path string)
	add = func(parent string, n *Node, path string) {
		for i, ch := range n.Children {
			childPath := path + "/" + strconv.Itoa(i)
			it, ok := treeItem(ch, nowMs)
			if !ok {
				unknown++
				continue
			}
			if it.GUID == "" {
				it.GUID = madeGUID(childPath)
				made++
			}
			if err := b.Item(it); err != nil {
				notes = append(notes, fmt.Sprintf("skipped backup item %s in %s: %v", it.GUID, parent, err))
			} else if err := b.Structure(it.GUID, parent); err != nil {
				notes = append(notes, fmt.Sprintf("skipped backup item %s in %s: %v", it.GUID, parent, err))
			}
			// The children of a duplicate folder join its first copy:
			// nothing in the file is left out of the tree.
			if isFolder(ch) {
				add(it.GUID, ch, childPath)
			}
		}
	}
	add(root.GUID, root, "")
	if made > 0 {
		notes = append(notes, fmt.Sprintf("%d backup items had no GUID (an old backup); they got GUIDs made from their place in the tree", made))
	}
	if unknown > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d backup items of an unknown type", unknown))
	}
	t, err := b.Build()
	if t == nil {
		return nil, notes, fmt.Errorf("build the backup's tree: %w", err)
	}
	return t, notes, err
}

func isFolder(n *Node) bool {
	return n.TypeCode == TypeCodeFolder || (n.TypeCode == 0 && n.Type == TypePlaceContainer)
}

// treeItem is a node as the tree vocabulary has it; false for a type that is
// none of bookmark, folder, separator.
func treeItem(n *Node, nowMs int64) (tree.Item, bool) {
	var kind tree.Kind
	switch {
	case isFolder(n):
		kind = tree.KindFolder
	case n.TypeCode == TypeCodeSeparator || (n.TypeCode == 0 && n.Type == TypePlaceSeparator):
		kind = tree.KindSeparator
	case n.TypeCode == TypeCodeBookmark || (n.TypeCode == 0 && n.Type == TypePlace):
		kind = tree.KindBookmark
		if strings.HasPrefix(n.URI, "place:") {
			kind = tree.KindQuery
		}
	default:
		return tree.Item{}, false
	}
	return tree.Item{
		GUID: n.GUID,
		Kind: kind,
		Age:  max(nowMs-n.LastModified/1000, 0),
		Info: &tree.Info{
			Title:        n.Title,
			URL:          n.URI,
			Keyword:      n.Keyword,
			Tags:         n.TagList(),
			DateAdded:    n.DateAdded,
			LastModified: n.LastModified,
		},
	}, true
}

// madeGUID is a stable GUID for an item that has none, from its place
// (child indexes from the root): the same file gives the same GUIDs.
func madeGUID(path string) string {
	sum := sha256.Sum256([]byte(path))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}
