package backup

import (
	"bytes"
	"encoding/json"
	"strconv"
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

type fastParser struct {
	b []byte
	i int
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
func (p *fastParser) next() byte {
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

func (p *fastParser) node(depth int) (*Node, bool) {
	if depth > maxFastDepth || p.next() != '{' {
		return nil, false
	}
	p.i++
	n := &Node{}
	seen := 0
	if p.next() == '}' {
		p.i++
		return n, true
	}
	for {
		if p.next() != '"' {
			return nil, false
		}
		key, ok := p.rawString()
		if !ok {
			return nil, false
		}
		if p.next() != ':' {
			return nil, false
		}
		p.i++
		p.space()
		var bit int
		switch string(key) {
		case "guid":
			bit, ok = fkGUID, p.str(&n.GUID)
		case "title":
			bit, ok = fkTitle, p.str(&n.Title)
		case "index":
			bit, ok = fkIndex, p.int(&n.Index)
		case "dateAdded":
			bit, ok = fkDateAdded, p.int(&n.DateAdded)
		case "lastModified":
			bit, ok = fkLastModified, p.int(&n.LastModified)
		case "id":
			bit, ok = fkID, p.int(&n.ID)
		case "typeCode":
			v := int64(n.TypeCode)
			bit, ok = fkTypeCode, p.int(&v)
			ok = ok && int64(int(v)) == v
			n.TypeCode = int(v)
		case "type":
			bit, ok = fkType, p.str(&n.Type)
		case "root":
			bit, ok = fkRoot, p.str(&n.Root)
		case "uri":
			bit, ok = fkURI, p.str(&n.URI)
		case "tags":
			bit, ok = fkTags, p.str(&n.Tags)
		case "charset":
			bit, ok = fkCharset, p.str(&n.Charset)
		case "iconUri":
			bit, ok = fkIconURI, p.str(&n.IconURI)
		case "keyword":
			bit, ok = fkKeyword, p.str(&n.Keyword)
		case "postData":
			bit = fkPostData
			if p.null() {
				n.PostData = nil
			} else {
				var s string
				ok = p.str(&s)
				n.PostData = &s
			}
		case "children":
			bit, ok = fkChildren, p.children(n, depth)
		default:
			return nil, false
		}
		if !ok || seen&bit != 0 {
			return nil, false
		}
		seen |= bit
		switch p.next() {
		case ',':
			p.i++
		case '}':
			p.i++
			return n, true
		default:
			return nil, false
		}
	}
}

func (p *fastParser) children(n *Node, depth int) bool {
	if p.null() {
		return true
	}
	if p.next() != '[' {
		return false
	}
	p.i++
	n.Children = []*Node{}
	if p.next() == ']' {
		p.i++
		return true
	}
	for {
		ch, ok := p.node(depth + 1)
		if !ok {
			return false
		}
		n.Children = append(n.Children, ch)
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

// null consumes a null literal if one is at the cursor.
func (p *fastParser) null() bool {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// rawString reads a string at the cursor that needs no unescaping: its
// bytes between the quotes. false for one with an escape, a control
// character or bytes that are not UTF-8.
func (p *fastParser) rawString() ([]byte, bool) {
	start := p.i + 1
	end := bytes.IndexByte(p.b[start:], '"')
	if end < 0 {
		return nil, false
	}
	s := p.b[start : start+end]
	ascii := true
	for _, c := range s {
		if c < ' ' || c == '\\' {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(s) {
		return nil, false
	}
	p.i = start + end + 1
	return s, true
}

// str reads a string value (null leaves dst as it is, as encoding/json
// does); strings with escapes are unquoted by encoding/json itself.
func (p *fastParser) str(dst *string) bool {
	if p.null() {
		return true
	}
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	if s, ok := p.rawString(); ok {
		*dst = string(s)
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
	if err := json.Unmarshal(lit, dst); err != nil {
		return false
	}
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

// int reads a whole number (null leaves dst as it is).
func (p *fastParser) int(dst *int64) bool {
	if p.null() {
		return true
	}
	j := p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(p.b) && '0' <= p.b[j] && p.b[j] <= '9' {
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
	v, err := strconv.ParseInt(string(p.b[p.i:j]), 10, 64)
	if err != nil {
		return false
	}
	*dst = v
	p.i = j
	return true
}
