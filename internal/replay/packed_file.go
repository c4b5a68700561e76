package replay

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// packedMagic starts a packed side's bytes (version 1).
const packedMagic = "bmtui-packed-side-1\n"

// MarshalBinary writes the side as bytes, for a timing harness to keep
// beside its fixture instead of decoding the JSON again. Items with Info
// (which the fixtures never have) are refused.
func (p *Packed) MarshalBinary() ([]byte, error) {
	if p.root.Info != nil {
		return nil, errors.New("pack: the root has info, which packed bytes do not keep")
	}
	for _, e := range p.extras {
		if e.info != nil {
			return nil, errors.New("pack: an item has info, which packed bytes do not keep")
		}
	}
	b := []byte(packedMagic)
	b = appendItemHead(b, p.root.GUID, p.root.Age, p.root.Kind, p.root.NeedsMerge, p.root.Validity)
	b = appendContent(b, p.root.Content)
	b = appendString(b, p.fallback)
	b = appendString(b, p.text)
	b = binary.AppendUvarint(b, uint64(len(p.items)))
	for _, it := range p.items {
		b = binary.AppendVarint(b, it.age)
		b = appendSpan(b, it.guid)
		b = binary.AppendVarint(b, int64(it.extra))
		b = append(b, byte(it.kind), boolByte(it.needsMerge), byte(it.validity))
	}
	b = binary.AppendUvarint(b, uint64(len(p.extras)))
	for _, e := range p.extras {
		b = appendContent(b, e.content)
	}
	b = binary.AppendUvarint(b, uint64(len(p.parents)))
	for _, pp := range p.parents {
		b = appendSpan(b, pp.child)
		b = appendSpan(b, pp.parent)
		b = append(b, byte(pp.by))
	}
	b = binary.AppendUvarint(b, uint64(len(p.tombstones)))
	for _, sp := range p.tombstones {
		b = appendSpan(b, sp)
	}
	return b, nil
}

// UnpackBinary reads one packed side from the start of b, as
// MarshalBinary wrote it, and returns the bytes after it.
func UnpackBinary(b []byte) (*Packed, []byte, error) {
	r := reader{b: b}
	if magic := r.bytes(len(packedMagic)); string(magic) != packedMagic {
		return nil, nil, errors.New("not a packed side")
	}
	p := &Packed{}
	guid, age, kind, needsMerge, validity := r.itemHead()
	p.root = tree.Item{GUID: guid, Age: age, Kind: kind, NeedsMerge: needsMerge, Validity: validity, Content: r.content()}
	p.fallback = r.string()
	p.text = r.string()
	p.items = make([]packedItem, r.count(8))
	for i := range p.items {
		it := &p.items[i]
		it.age = r.varint()
		it.guid = r.span(len(p.text))
		it.extra = int32(r.varint())
		it.kind, it.needsMerge, it.validity = tree.Kind(r.byte()), r.byte() != 0, tree.Validity(r.byte())
	}
	p.extras = make([]extra, r.count(1))
	for i := range p.extras {
		p.extras[i].content = r.content()
	}
	for _, it := range p.items {
		if it.extra < -1 || int(it.extra) >= len(p.extras) {
			r.fail()
		}
	}
	p.parents = make([]packedParent, r.count(5))
	for i := range p.parents {
		p.parents[i] = packedParent{r.span(len(p.text)), r.span(len(p.text)), By(r.byte())}
	}
	p.tombstones = make([]span, r.count(2))
	for i := range p.tombstones {
		p.tombstones[i] = r.span(len(p.text))
	}
	if r.err != nil {
		return nil, nil, fmt.Errorf("packed side: %w", r.err)
	}
	return p, r.b, nil
}

func appendItemHead(b []byte, guid string, age int64, kind tree.Kind, needsMerge bool, validity tree.Validity) []byte {
	b = appendString(b, guid)
	b = binary.AppendVarint(b, age)
	return append(b, byte(kind), boolByte(needsMerge), byte(validity))
}

func appendContent(b []byte, c *tree.Content) []byte {
	if c == nil {
		return append(b, 0)
	}
	b = append(b, 1, byte(c.Kind))
	return appendString(appendString(b, c.Title), c.URL)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendSpan(b []byte, sp span) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(sp.off)), uint64(sp.n))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// reader reads what MarshalBinary wrote; after the first error every read
// returns zero values and err says what went wrong.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated or damaged")

func (r *reader) fail() {
	if r.err == nil {
		r.err = errShort
	}
	r.b = nil
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) byte() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if r.err != nil || n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if r.err != nil || n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length whose elements take at least minBytes each, so a
// damaged length cannot ask for more memory than the bytes could hold.
func (r *reader) count(minBytes int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/minBytes) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) string() string { return string(r.bytes(r.count(1))) }

func (r *reader) span(textLen int) span {
	off, n := r.uvarint(), r.uvarint()
	if off > uint64(textLen) || n > uint64(textLen)-off {
		r.fail()
		return span{}
	}
	return span{uint32(off), uint32(n)}
}

func (r *reader) itemHead() (string, int64, tree.Kind, bool, tree.Validity) {
	guid := r.string()
	age := r.varint()
	return guid, age, tree.Kind(r.byte()), r.byte() != 0, tree.Validity(r.byte())
}

func (r *reader) content() *tree.Content {
	switch r.byte() {
	case 0:
		return nil
	case 1:
		c := &tree.Content{Kind: tree.ContentKind(r.byte())}
		c.Title = r.string()
		c.URL = r.string()
		return c
	}
	r.fail()
	return nil
}
