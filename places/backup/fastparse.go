package backup

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// parseFast decodes a backup's JSON in one pass without reflection, for
// the shape Firefox writes: objects whose keys are Node's own (exactly as
// spelled there, each once), strings, whole numbers, null, and children
// arrays of objects. Anything else (another key, a fraction, a null
// child, bad syntax, a string that is not valid UTF-8) makes it give up,
// ok false, and Parse decodes with encoding/json/v2, which also words the
// errors. When ok, the tree is exactly what that decoder gives
// (FuzzParseFast holds it to that). It is several times faster, which
// matters when a search reads fifteen 40,000-bookmark backups.
func parseFast(js []byte) (root *Node, ok bool) {
	p := fastParser{b: js}
	p.space()
	root, ok = p.node(0)
	if !ok {
		return nil, false
	}
	p.space()
	return root, p.i == len(p.b)
}

// fastParser reads the JSON of a backup of Firefox's own shape, for
// parseFast (a tree of Nodes) and outlineFast (a search's outline).
type fastParser struct {
	b []byte
	i int
	// s is b as a string when the strings read may point into b; when
	// it is empty, each string read is a copy.
	s string
}

// maxFastDepth is well below encoding/json's nesting limit (10,000).
const maxFastDepth = 1000

func (p *fastParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next is the byte at the cursor after white space, or 0 at the end.
// Firefox writes none, so the byte at the cursor is looked at first.
func (p *fastParser) next() byte {
	if p.i < len(p.b) && p.b[p.i] > ' ' {
		return p.b[p.i]
	}
	p.space()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// Keys, as bits of a seen set.
const (
	fkGUID = 1 << iota
	fkTitle
	fkIndex
	fkDateAdded
	fkLastModified
	fkID
	fkTypeCode
	fkType
	fkRoot
	fkURI
	fkTags
	fkCharset
	fkIconURI
	fkKeyword
	fkPostData
	fkChildren
)

// fields are the members of one object of a backup, its children aside,
// as Node names them; seen has the bit of each key read.
type fields struct {
	seen                                                int
	guid, title, typ, root, uri, tags, charset, iconURI string
	keyword                                             string
	postData                                            *string
	index, dateAdded, lastModified, id, typeCode        int64
}

// members reads the members of the object whose '{' is just behind the
// cursor into f, up to its '}' (children false), or up to the value of
// its "children" member (children true, the cursor at that value): the
// caller reads that value, then calls again with resume to read the
// rest.
func (p *fastParser) members(f *fields, resume bool) (children, ok bool) {
	if !resume && p.next() == '}' {
		p.i++
		return false, true
	}
	for {
		if resume {
			resume = false
		} else {
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
				bit, ok = fkGUID, p.str(&f.guid)
			case "title":
				bit, ok = fkTitle, p.str(&f.title)
			case "index":
				bit, ok = fkIndex, p.number(&f.index)
			case "dateAdded":
				bit, ok = fkDateAdded, p.number(&f.dateAdded)
			case "lastModified":
				bit, ok = fkLastModified, p.number(&f.lastModified)
			case "id":
				bit, ok = fkID, p.number(&f.id)
			case "typeCode":
				bit, ok = fkTypeCode, p.number(&f.typeCode)
			case "type":
				bit, ok = fkType, p.str(&f.typ)
			case "root":
				bit, ok = fkRoot, p.str(&f.root)
			case "uri":
				bit, ok = fkURI, p.str(&f.uri)
			case "tags":
				bit, ok = fkTags, p.str(&f.tags)
			case "charset":
				bit, ok = fkCharset, p.str(&f.charset)
			case "iconUri":
				bit, ok = fkIconURI, p.str(&f.iconURI)
			case "keyword":
				bit, ok = fkKeyword, p.str(&f.keyword)
			case "postData":
				bit = fkPostData
				if !p.null() {
					var s string
					ok = p.str(&s)
					f.postData = &s
				}
			case "children":
				if f.seen&fkChildren != 0 {
					return false, false
				}
				f.seen |= fkChildren
				return true, true
			default:
				return false, false
			}
			if !ok || f.seen&bit != 0 {
				return false, false
			}
			f.seen |= bit
		}
		switch p.next() {
		case ',':
			p.i++
		case '}':
			p.i++
			return false, true
		default:
			return false, false
		}
	}
}

// array reads the array of objects at the cursor, elem reading each
// element; null is no array (present false).
func (p *fastParser) array(elem func() bool) (present, ok bool) {
	if p.null() {
		return false, true
	}
	if p.next() != '[' {
		return false, false
	}
	p.i++
	if p.next() == ']' {
		p.i++
		return true, true
	}
	for {
		if !elem() {
			return true, false
		}
		switch p.next() {
		case ',':
			p.i++
		case ']':
			p.i++
			return true, true
		default:
			return true, false
		}
	}
}

func (p *fastParser) node(depth int) (*Node, bool) {
	if depth > maxFastDepth || p.next() != '{' {
		return nil, false
	}
	p.i++
	n := &Node{}
	var f fields
	for resume := false; ; resume = true {
		children, ok := p.members(&f, resume)
		if !ok {
			return nil, false
		}
		if !children {
			break
		}
		present, ok := p.array(func() bool {
			ch, ok := p.node(depth + 1)
			n.Children = append(n.Children, ch)
			return ok
		})
		if !ok {
			return nil, false
		}
		if present && n.Children == nil {
			n.Children = []*Node{}
		}
	}
	if int64(int(f.typeCode)) != f.typeCode {
		return nil, false
	}
	n.GUID, n.Title, n.Index, n.DateAdded, n.LastModified, n.ID = f.guid, f.title, f.index, f.dateAdded, f.lastModified, f.id
	n.TypeCode, n.Type, n.Root, n.URI, n.Tags = int(f.typeCode), f.typ, f.root, f.uri, f.tags
	n.Charset, n.IconURI, n.Keyword, n.PostData = f.charset, f.iconURI, f.keyword, f.postData
	return n, true
}

// null consumes a null literal if one is at the cursor.
func (p *fastParser) null() bool {
	if p.i < len(p.b) && p.b[p.i] == 'n' && bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// key reads an object key at the cursor: its bytes between the quotes.
// Any key the parser knows is plain ASCII, so one with an escape or
// another oddity is simply not known: it needs no other check.
func (p *fastParser) key() ([]byte, bool) {
	for j := p.i + 1; j < len(p.b); j++ {
		if p.b[j] == '"' {
			k := p.b[p.i+1 : j]
			p.i = j + 1
			return k, true
		}
	}
	return nil, false
}

// str reads a string value (null leaves dst as it is, as encoding/json
// does): without copying it when the parser may point into its bytes and
// the JSON has it unescaped; strings with escapes are unquoted by
// encoding/json itself.
func (p *fastParser) str(dst *string) bool {
	if p.null() {
		return true
	}
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	if start, end, ok := p.plainString(); ok {
		if p.s != "" {
			*dst = p.s[start:end]
		} else {
			*dst = string(p.b[start:end])
		}
		p.i = end + 1
		return true
	}
	end := p.quotedEnd()
	if end < 0 {
		return false
	}
	lit := p.b[p.i:end]
	if !utf8.Valid(lit) {
		return false
	}
	for _, c := range lit {
		if c < ' ' {
			return false
		}
	}
	var v string // not dst: what json.Unmarshal is given escapes to the heap
	if err := json.Unmarshal(lit, &v); err != nil {
		return false
	}
	*dst = v
	p.i = end
	return true
}

// quotedEnd is the offset just past the string starting at the cursor,
// escapes skipped, or -1.
func (p *fastParser) quotedEnd() int {
	for j := p.i + 1; j < len(p.b); j++ {
		switch p.b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
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

// plainString finds the string at the cursor if it needs no unescaping
// (no escape, no control character, valid UTF-8), eight bytes at a
// time: its bytes are b[start:end], end the closing quote. It does not
// move the cursor.
func (p *fastParser) plainString() (start, end int, ok bool) {
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

// number reads a whole number within int64's range (null leaves dst as
// it is) without making a string of it.
func (p *fastParser) number(dst *int64) bool {
	if p.null() {
		return true
	}
	b := p.b
	j := p.i
	neg := j < len(b) && b[j] == '-'
	if neg {
		j++
	}
	digits := j
	var v uint64
	for j < len(b) {
		d := b[j] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d) // wraps only past 19 digits, refused below
		j++
	}
	if n := j - digits; n == 0 || n > 19 || (b[digits] == '0' && n > 1) {
		return false
	}
	if j < len(b) {
		switch b[j] {
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
	*dst = int64(v)
	if neg {
		*dst = -*dst
	}
	p.i = j
	return true
}
