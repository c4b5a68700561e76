// Package bookmarkshtml reads bookmarks.html, the Netscape bookmark file
// format that Firefox exports and imports (and Chrome, Edge and Safari
// export too), into the tree of a Firefox backup (backup.Node), parsed
// with golang.org/x/net/html.
//
// The format keeps no GUIDs, so every item gets one made from what it is
// and where (folder titles, title, URL): the same export always gives the
// same GUIDs, and two exports of the same bookmarks agree on them, but
// they are not the GUIDs the items have in Places.
package bookmarkshtml

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/bmtui/bmtui/places/backup"
)

// ErrNotBookmarks is wrapped by Parse for HTML that is no bookmark file.
var ErrNotBookmarks = errors.New("not a bookmarks.html file")

// doctype is the one every browser writes at the top of the file.
const doctype = "netscape-bookmark-file-1"

// Parse reads a bookmarks.html into a backup tree: the Places root with
// the menu (the file's top list), the toolbar (the folder marked
// PERSONAL_TOOLBAR_FOLDER), unfiled (UNFILED_BOOKMARKS_FOLDER) and an
// empty mobile root. HTML that has neither the Netscape doctype nor a
// list of bookmarks is ErrNotBookmarks.
func Parse(r io.Reader) (*backup.Node, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parse bookmarks.html: %w", err)
	}
	p := &parser{
		root:    folder(backup.RootGUID, "", "placesRoot"),
		menu:    folder(backup.MenuGUID, "menu", "bookmarksMenuFolder"),
		toolbar: folder(backup.ToolbarGUID, "toolbar", "toolbarFolder"),
		unfiled: folder(backup.UnfiledGUID, "unfiled", "unfiledBookmarksFolder"),
		mobile:  folder(backup.MobileGUID, "mobile", "mobileFolder"),
		seen:    map[string]int{},
	}
	p.root.Children = []*backup.Node{p.menu, p.toolbar, p.unfiled, p.mobile}
	netscape := false
	var top *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for c := n.FirstChild; c != nil && top == nil; c = c.NextSibling {
			switch {
			case c.Type == html.DoctypeNode && strings.EqualFold(c.Data, doctype):
				netscape = true
			case c.Type == html.ElementNode && c.DataAtom == atom.Dl:
				top = c
			default:
				find(c)
			}
		}
	}
	find(doc)
	if top == nil {
		if netscape {
			return p.root, nil // an export of no bookmarks
		}
		return nil, fmt.Errorf("%w: HTML without the NETSCAPE-Bookmark-file-1 doctype or a <DL> list of bookmarks", ErrNotBookmarks)
	}
	p.list(top, p.menu, nil, true)
	if !netscape && p.items == 0 {
		return nil, fmt.Errorf("%w: its lists hold no bookmarks and it lacks the NETSCAPE-Bookmark-file-1 doctype", ErrNotBookmarks)
	}
	for _, r := range p.root.Children {
		index(r)
	}
	return p.root, nil
}

type parser struct {
	root, menu, toolbar, unfiled, mobile *backup.Node
	seen                                 map[string]int // made GUID keys, to tell twins apart
	items                                int
}

func folder(guid, title, root string) *backup.Node {
	return &backup.Node{GUID: guid, Title: title, Root: root, TypeCode: backup.TypeCodeFolder, Type: backup.TypePlaceContainer}
}

// list adds the items of a <DL> to parent. A folder is an <H3> followed,
// in the same entry, by the <DL> of its items; the parser may have nested
// that list in the <DT> or in a <DD> (a description), so the next <DL>
// found after an <H3> belongs to it.
func (p *parser) list(dl *html.Node, parent *backup.Node, path []string, top bool) {
	var pending *backup.Node
	var pendingPath []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.A:
				href := attr(c, "href")
				if href == "" {
					continue // Firefox's import skips these too
				}
				b := &backup.Node{TypeCode: backup.TypeCodeBookmark, Type: backup.TypePlace,
					Title: text(c), URI: href, Keyword: attr(c, "shortcuturl"), Tags: tags(attr(c, "tags")),
					DateAdded: seconds(attr(c, "add_date")), LastModified: seconds(attr(c, "last_modified"))}
				b.GUID = p.guid(path, "b", b.Title, href)
				parent.Children = append(parent.Children, b)
				p.items++
			case atom.H3:
				title := text(c)
				var f *backup.Node
				switch {
				case top && isTrue(attr(c, "personal_toolbar_folder")):
					f = p.toolbar
				case top && isTrue(attr(c, "unfiled_bookmarks_folder")):
					f = p.unfiled
				default:
					f = folder(p.guid(path, "f", title, ""), title, "")
					f.DateAdded, f.LastModified = seconds(attr(c, "add_date")), seconds(attr(c, "last_modified"))
					parent.Children = append(parent.Children, f)
					p.items++
				}
				pending, pendingPath = f, append(append([]string(nil), path...), title)
			case atom.Hr:
				parent.Children = append(parent.Children, &backup.Node{GUID: p.guid(path, "s", "", ""),
					TypeCode: backup.TypeCodeSeparator, Type: backup.TypePlaceSeparator})
			case atom.Dl:
				if pending != nil {
					p.list(c, pending, pendingPath, false)
					pending = nil
				} else {
					p.list(c, parent, path, false) // a list without a heading: its items stay here
				}
			default:
				walk(c)
			}
		}
	}
	walk(dl)
}

// guid is a made GUID for an item: a hash of its folder path, kind, title
// and URL, and how many such items came before it (twins differ).
func (p *parser) guid(path []string, kind, title, url string) string {
	key := strings.Join(path, "\x00") + "\x01" + kind + "\x01" + title + "\x01" + url
	n := p.seen[key]
	p.seen[key] = n + 1
	sum := sha256.Sum256([]byte(key + "\x01" + strconv.Itoa(n)))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// index numbers every folder's children by position, as a backup does.
func index(n *backup.Node) {
	for i, c := range n.Children {
		c.Index = int64(i)
		index(c)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isTrue(v string) bool { return strings.EqualFold(v, "true") }

// text is the text inside n, spaces as they are but trimmed.
func text(n *html.Node) string {
	var b bytes.Buffer
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// seconds is an ADD_DATE/LAST_MODIFIED value (seconds since the epoch;
// some writers use ms or µs) in µs; 0 when absent or unreadable.
func seconds(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	switch {
	case err != nil || n <= 0:
		return 0
	case n < 1e11: // seconds until the year 5138
		return n * 1e6
	case n < 1e14: // milliseconds
		return n * 1e3
	case n < 1e17:
		return n
	}
	return 0
}

// tags is a TAGS attribute as a backup spells tags: comma-separated.
func tags(v string) string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}
