package backup

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
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
			// About one item in 500 bytes: room enough not to grow, and
			// what is never written costs nothing.
			scratch.Items = hugepages.Make[source.OutlineItem](0, want)
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
		p.s = unsafe.String(unsafe.SliceData(js), len(js))
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
	s     string // b as a string, for the items' strings
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
	var (
		typ      string
		typeCode int64
		seen     int
		guid     string
		title    string
		uri      string
		children bool // the children are in items after at
	)
	if p.next() == '}' {
		p.i++
		p.items = p.items[:at]
		return false, true // no type: left out
	}
	for {
		if p.next() != '"' {
			return false, false
		}
		key, ok := p.key()
		if !ok || p.next() != ':' {
			return false, false
		}
		p.i++
		p.space()
		var bit int
		switch string(key) {
		case "guid":
			bit, ok = fkGUID, p.view(&guid)
		case "title":
			bit, ok = fkTitle, p.view(&title)
		case "index":
			bit, ok = fkIndex, p.number(nil)
		case "dateAdded":
			bit, ok = fkDateAdded, p.number(nil)
		case "lastModified":
			bit, ok = fkLastModified, p.number(nil)
		case "id":
			bit, ok = fkID, p.number(nil)
		case "typeCode":
			bit, ok = fkTypeCode, p.number(&typeCode)
		case "type":
			bit, ok = fkType, p.view(&typ)
		case "root":
			bit, ok = fkRoot, p.view(nil)
		case "uri":
			bit, ok = fkURI, p.view(&uri)
		case "tags":
			bit, ok = fkTags, p.view(nil)
		case "charset":
			bit, ok = fkCharset, p.view(nil)
		case "iconUri":
			bit, ok = fkIconURI, p.view(nil)
		case "keyword":
			bit, ok = fkKeyword, p.view(nil)
		case "postData":
			bit = fkPostData
			if !p.null() {
				ok = p.view(nil)
			}
		case "children":
			bit = fkChildren
			ok = p.children(at, level)
			children = true
		default:
			return false, false
		}
		if !ok || seen&bit != 0 {
			return false, false
		}
		seen |= bit
		switch p.next() {
		case ',':
			p.i++
			continue
		case '}':
			p.i++
		default:
			return false, false
		}
		break
	}
	var kind tree.Kind
	switch {
	case typeCode == TypeCodeFolder || (typeCode == 0 && typ == TypePlaceContainer):
		kind = tree.KindFolder
	case typeCode == TypeCodeSeparator || (typeCode == 0 && typ == TypePlaceSeparator):
		kind = tree.KindSeparator
	case typeCode == TypeCodeBookmark || (typeCode == 0 && typ == TypePlace):
		kind = tree.KindBookmark
		if strings.HasPrefix(uri, "place:") {
			kind = tree.KindQuery
		}
	default:
		p.items = p.items[:at] // Tree skips it and what it holds
		return false, true
	}
	if children && kind != tree.KindFolder {
		p.items = p.items[:at+1] // only a folder's children are read
	}
	// Tree gives an item without a GUID one made from its place; the
	// builder keeps the first of two items with one GUID, and moves a
	// built-in root found elsewhere under the Places root (two items
	// with one GUID are told once all are read: uniqueGUIDs).
	if guid == "" || (tree.IsBuiltInRoot(guid) && level != 1) {
		return false, false
	}
	it := &p.items[at]
	it.GUID, it.Kind, it.Title, it.URL = guid, kind, title, uri
	return true, true
}

func (p *outlineParser) children(at, level int32) bool {
	if p.null() {
		return true
	}
	if p.next() != '[' {
		return false
	}
	p.i++
	if p.next() == ']' {
		p.i++
		return true
	}
	for {
		if _, ok := p.node(at, level+1); !ok {
			return false
		}
		switch p.next() {
		case ',':
			p.i++
		case ']':
			p.i++
			return true
		default:
			return false
		}
	}
}

// view reads a string value as fastParser.str does into dst (nil: only
// check it), without copying one the JSON has unescaped.
func (p *outlineParser) view(dst *string) bool {
	if p.null() {
		return true
	}
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	if start, end, ok := p.plainString(); ok {
		if dst != nil {
			*dst = p.s[start:end]
		}
		p.i = end + 1
		return true
	}
	var v string
	if !p.str(&v) {
		return false
	}
	if dst != nil {
		*dst = v
	}
	return true
}

// key reads an object key at the cursor: its bytes between the quotes.
// Any key the parser knows is plain ASCII, so one with an escape or
// another oddity is simply not known: it needs no other check.
func (p *outlineParser) key() ([]byte, bool) {
	for j := p.i + 1; j < len(p.b); j++ {
		if p.b[j] == '"' {
			k := p.b[p.i+1 : j]
			p.i = j + 1
			return k, true
		}
	}
	return nil, false
}

// Eight bytes at a time: a word with a byte below 0x20, a quote, a
// backslash or a byte of 0x80 or more (the bytes plainString must look
// at one by one) is special.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func special(w uint64) bool {
	below20 := (w - 0x20*ones) &^ w
	quote := w ^ '"'*ones
	quote = (quote - ones) &^ quote
	slash := w ^ '\\'*ones
	slash = (slash - ones) &^ slash
	return (below20|quote|slash|w)&highs != 0
}

// plainString finds the string at the cursor as rawString does (no
// escape, no control character, valid UTF-8), eight bytes at a time:
// its bytes are b[start:end], end the closing quote. It does not move
// the cursor.
func (p *outlineParser) plainString() (start, end int, ok bool) {
	b := p.b
	start = p.i + 1
	ascii := true
	for j := start; ; {
		for j+8 <= len(b) && !special(binary.LittleEndian.Uint64(b[j:])) {
			j += 8
		}
		for stop := min(j+8, len(b)); j < stop; j++ {
			switch c := b[j]; {
			case c == '"':
				if !ascii && !utf8.Valid(b[start:j]) {
					return 0, 0, false
				}
				return start, j, true
			case c < ' ' || c == '\\':
				return 0, 0, false
			case c >= utf8.RuneSelf:
				ascii = false
			}
		}
		if j >= len(b) {
			return 0, 0, false
		}
	}
}

// number reads a whole number as fastParser.int does into dst (nil: only
// check it), without making a string of it.
func (p *outlineParser) number(dst *int64) bool {
	if p.null() {
		return true
	}
	j := p.i
	neg := j < len(p.b) && p.b[j] == '-'
	if neg {
		j++
	}
	digits := j
	var v uint64
	for j < len(p.b) && '0' <= p.b[j] && p.b[j] <= '9' {
		d := uint64(p.b[j] - '0')
		if v > (1<<64-1-d)/10 {
			return false
		}
		v = v*10 + d
		j++
	}
	if j == digits || (p.b[digits] == '0' && j-digits > 1) {
		return false
	}
	if j < len(p.b) {
		switch p.b[j] {
		case '.', 'e', 'E':
			return false
		}
	}
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	if v > limit {
		return false // strconv.ParseInt's range error
	}
	if dst != nil {
		*dst = int64(v)
		if neg {
			*dst = -*dst
		}
	}
	p.i = j
	return true
}
