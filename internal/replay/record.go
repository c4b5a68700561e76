package replay

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// Item is an item as the fixtures spell it.
type Item struct {
	GUID       string   `json:"guid"`
	Kind       string   `json:"kind"`
	Age        int64    `json:"age"`
	NeedsMerge bool     `json:"needs_merge"`
	Validity   string   `json:"validity"`
	Content    *Content `json:"content"`
}

// Content is an item's dedupe content as the fixtures spell it.
type Content struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ParentRecord is one parent record as the fixtures spell it.
type ParentRecord struct {
	Child  string `json:"child"`
	Parent string `json:"parent"`
	By     string `json:"by"`
}

// ToItem converts a fixture item.
func (it Item) ToItem() (tree.Item, error) {
	kind, err := tree.ParseKind(it.Kind)
	if err != nil {
		return tree.Item{}, err
	}
	validity, err := tree.ParseValidity(it.Validity)
	if err != nil {
		return tree.Item{}, err
	}
	out := tree.Item{GUID: it.GUID, Kind: kind, Age: it.Age, NeedsMerge: it.NeedsMerge, Validity: validity}
	if c := it.Content; c != nil {
		switch c.Type {
		case "bookmark":
			out.Content = &tree.Content{Kind: tree.ContentBookmark, Title: c.Title, URL: c.URL}
		case "folder":
			out.Content = &tree.Content{Kind: tree.ContentFolder, Title: c.Title}
		case "separator":
			out.Content = &tree.Content{Kind: tree.ContentSeparator}
		default:
			return tree.Item{}, fmt.Errorf("unknown content type %q", c.Type)
		}
	}
	return out, nil
}

// FromItem is the inverse of ToItem. A separator's content is its
// position alone, so a title given to one is not kept.
func FromItem(it tree.Item) Item {
	out := Item{GUID: it.GUID, Kind: it.Kind.String(), Age: it.Age, NeedsMerge: it.NeedsMerge, Validity: it.Validity.String()}
	if c := it.Content; c != nil {
		switch c.Kind {
		case tree.ContentBookmark:
			out.Content = &Content{Type: "bookmark", Title: c.Title, URL: c.URL}
		case tree.ContentFolder:
			out.Content = &Content{Type: "folder", Title: c.Title}
		case tree.ContentSeparator:
			out.Content = &Content{Type: "separator"}
		}
	}
	return out
}
