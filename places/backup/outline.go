package backup

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"time"
	"unsafe"

	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

var _ source.Outliner = (*Source)(nil)

// LoadOutline reads the backup for a search: use gets every item Load's
// tree has, in its order, without the tree being built. A backup of
// Firefox's own shape whose tree needs none of the builder's repairs is
// read straight from its JSON into the outline, the outline's strings
// pointing into the decompressed bytes; any other file takes Load's road
// and gets Load's errors. The file, its text and the outline are read
// into scratch's storage (nil: fresh storage), grown when too small, and
// left there for the next backup.
func (s *Source) LoadOutline(clock time.Time, scratch *source.Scratch, use func(*source.Outline)) error {
	if scratch == nil {
		scratch = new(source.Scratch)
	}
	var err error
	if scratch.File, err = readFileInto(s.path, scratch.File[:0]); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	js := scratch.File
	if bytes.HasPrefix(js, []byte(Magic)) {
		if js, err = decodeLZ4(js, scratch.Text[:0]); err != nil {
			js = nil // Load's road words the error
		} else if cap(js) > cap(scratch.Text) {
			scratch.Text = js
		}
	}
	if js != nil {
		if want := len(js)/256 + 16; cap(scratch.Items) < want {
			// About one item in 500 bytes: room enough not to grow. Written
			// at once (MakeWritten): the collector may read it before the
			// parser writes it.
			scratch.Items = hugepages.MakeWritten[source.OutlineItem](0, want)
		}
		if items, table, ok := outlineFast(js, scratch.Items[:0], scratch.Table[:0]); ok {
			scratch.Items, scratch.Table = items, table
			use(&source.Outline{Provenance: s.Provenance(), Items: items})
			return nil
		}
	}
	r, err := Result(s.Provenance(), scratch.File, clock)
	if err != nil {
		return err
	}
	use(source.TreeOutline(r))
	return nil
}

// readFileInto is os.ReadFile into buf's storage.
func readFileInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && int64(cap(buf)) < fi.Size()+512 {
		buf = make([]byte, 0, fi.Size()+512)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// outlineFast reads the JSON of a backup of Firefox's own shape (what
// parseFast reads, and nothing it would refuse) into items, or reports
// false, leaving the file to Parse and Tree. It also steps aside for a tree
// the builder would repair or name differently: a GUID twice, an item
// without a GUID, a built-in root anywhere but under the Places root, a top
// object that is not the Places root. Otherwise the items are exactly
// TreeOutline of Tree's tree (FuzzOutline holds it to that). Their strings
// point into js where the JSON has them unescaped. items and hashes are
// storage to reuse.
func outlineFast(js []byte, items []source.OutlineItem, hashes []uint64) ([]source.OutlineItem, []uint64, bool) {
	p := outlineParser{fastParser: fastParser{b: js}, items: items}
	if len(js) > 0 {
		p.s = unsafe.String(unsafe.SliceData(js), len(js)) // strings point into js
	}
	p.space()
	if _, ok := p.node(-1, 0); !ok {
		return nil, nil, false
	}
	p.space()
	if p.i != len(p.b) || len(p.items) == 0 || p.items[0].GUID != RootGUID || p.items[0].Kind != tree.KindFolder {
		return nil, nil, false
	}
	hashes, unique := uniqueGUIDs(p.items, hashes)
	return p.items, hashes, unique
}

// uniqueGUIDs reports whether no two items have the same GUID, through a
// table of their hashes (reused: table is its storage), several times
// faster than a set of 40,000 strings. Equal hashes (a GUID twice, or by
// a chance of about one in 10^10 two GUIDs) report false, and the file
// takes the general road.
func uniqueGUIDs(items []source.OutlineItem, table []uint64) ([]uint64, bool) {
	size := 1024
	for size < 2*len(items) {
		size *= 2
	}
	if cap(table) < size {
		table = make([]uint64, size)
	}
	table = table[:size]
	clear(table)
	seed := maphash.MakeSeed()
	mask := uint64(size - 1)
	for k := range items {
		h := maphash.String(seed, items[k].GUID) | 1 // 0 marks an empty slot
		for i := h & mask; ; i = (i + 1) & mask {
			if table[i] == 0 {
				table[i] = h
				break
			}
			if table[i] == h {
				return table, false
			}
		}
	}
	return table, true
}

type outlineParser struct {
	fastParser
	items []source.OutlineItem
}

// node reads an item and its subtree at the cursor, appending them to
// items unless the item is of no kind the tree has (Tree leaves such an
// item and its subtree out); kept reports which.
func (p *outlineParser) node(parent, level int32) (kept, ok bool) {
	if level > maxFastDepth || p.next() != '{' {
		return false, false
	}
	p.i++
	at := int32(len(p.items))
	p.items = append(p.items, source.OutlineItem{Parent: parent, Level: level})
	var f fields
	for resume := false; ; resume = true {
		children, ok := p.members(&f, resume)
		if !ok {
			return false, false
		}
		if !children {
			break
		}
		if _, ok := p.array(func() bool { _, ok := p.node(at, level+1); return ok }); !ok {
			return false, false
		}
	}
	var kind tree.Kind
	switch typeCode, typ := f.typeCode, f.typ; {
	case typeCode == TypeCodeFolder || (typeCode == 0 && typ == TypePlaceContainer):
		kind = tree.KindFolder
	case typeCode == TypeCodeSeparator || (typeCode == 0 && typ == TypePlaceSeparator):
		kind = tree.KindSeparator
	case typeCode == TypeCodeBookmark || (typeCode == 0 && typ == TypePlace):
		kind = tree.KindBookmark
		if strings.HasPrefix(f.uri, "place:") {
			kind = tree.KindQuery
		}
	default:
		p.items = p.items[:at] // Tree skips it and what it holds
		return false, true
	}
	if f.seen&fkChildren != 0 && kind != tree.KindFolder {
		p.items = p.items[:at+1] // only a folder's children are read
	}
	// Tree gives an item without a GUID one made from its place; the
	// builder keeps the first of two items with one GUID, and moves a
	// built-in root found elsewhere under the Places root (two items
	// with one GUID are told once all are read: uniqueGUIDs).
	if f.guid == "" || (tree.IsBuiltInRoot(f.guid) && level != 1) {
		return false, false
	}
	it := &p.items[at]
	it.GUID, it.Kind, it.Title, it.URL = f.guid, kind, f.title, f.uri
	return true, true
}
