package sqlitepage

import (
	"encoding/binary"
	"fmt"
)

// PageKind says what a page is.
type PageKind uint8

// Page kinds. B-tree kinds come from the page's flag byte; the others
// from the structure that reaches the page (freelist, overflow chain,
// pointer-map position), so a page nobody reaches and whose flag byte is
// not a b-tree flag is Unknown (or Zero when every byte is zero).
const (
	KindUnknown PageKind = iota
	KindTableInterior
	KindTableLeaf
	KindIndexInterior
	KindIndexLeaf
	KindOverflow
	KindFreeTrunk
	KindFreeLeaf
	KindPointerMap
	KindLockByte
	KindZero
	KindUnreadable // past the end of a truncated file, or an I/O error
)

var kindNames = [...]string{"unknown", "table-interior", "table-leaf", "index-interior", "index-leaf",
	"overflow", "freelist-trunk", "freelist-leaf", "pointer-map", "lock-byte", "zero", "unreadable"}

func (k PageKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsBtree reports whether k is one of the four b-tree page kinds.
func (k PageKind) IsBtree() bool { return k >= KindTableInterior && k <= KindIndexLeaf }

// IsLeaf reports whether k is a b-tree leaf.
func (k PageKind) IsLeaf() bool { return k == KindTableLeaf || k == KindIndexLeaf }

// IsTable reports whether k is a table b-tree page.
func (k PageKind) IsTable() bool { return k == KindTableInterior || k == KindTableLeaf }

func kindOfFlag(f byte) PageKind {
	switch f {
	case 0x05:
		return KindTableInterior
	case 0x0d:
		return KindTableLeaf
	case 0x02:
		return KindIndexInterior
	case 0x0a:
		return KindIndexLeaf
	}
	return KindUnknown
}

// BtreePage is the decoded header of a b-tree page.
type BtreePage struct {
	Kind          PageKind
	HeaderOffset  int      // 100 on page 1, else 0
	FirstFree     int      // offset of the first freeblock (0: none)
	CellCount     int      // cells according to the header
	ContentStart  int      // start of the cell content area
	Fragmented    int      // fragmented free bytes
	RightChild    uint32   // interior pages: the right-most child
	CellOffsets   []int    // offset of each cell whose pointer lies inside the page
	Freeblocks    [][2]int // [start, end) of each freeblock, in chain order
	Problems      []string // damage noticed in the header, pointers or freeblocks
	pageSize      int
	usable        int
	cellPtrOffset int
}

// ParseBtreePage decodes the header, cell pointer array and freeblock
// chain of a b-tree page. page is the whole page (pgno 1 includes the
// database header); usable is the page size less reserved bytes. It fails
// only when the flag byte is not a b-tree flag or the header does not
// fit; damaged pointers and freeblocks are skipped and listed in
// Problems.
func ParseBtreePage(page []byte, pgno uint32, usable int) (*BtreePage, error) {
	h := 0
	if pgno == 1 {
		h = HeaderSize
	}
	if len(page) < 512 {
		// The payload thresholds assume at least this much.
		return nil, fmt.Errorf("page %d: %d bytes, less than the smallest page size", pgno, len(page))
	}
	if usable > len(page) || usable < 480 {
		usable = len(page)
	}
	p := &BtreePage{Kind: kindOfFlag(page[h]), HeaderOffset: h, pageSize: len(page), usable: usable}
	if p.Kind == KindUnknown {
		return nil, fmt.Errorf("page %d: flag byte 0x%02x is not a b-tree page", pgno, page[h])
	}
	be := binary.BigEndian
	p.FirstFree = int(be.Uint16(page[h+1:]))
	p.CellCount = int(be.Uint16(page[h+3:]))
	p.ContentStart = int(be.Uint16(page[h+5:]))
	if p.ContentStart == 0 {
		p.ContentStart = 65536
	}
	p.Fragmented = int(page[h+7])
	hdrLen := 8
	if !p.Kind.IsLeaf() {
		hdrLen = 12
		if len(page) < h+12 {
			return nil, fmt.Errorf("page %d: too short for an interior header", pgno)
		}
		p.RightChild = be.Uint32(page[h+8:])
	}
	p.cellPtrOffset = h + hdrLen
	maxCells := (usable - p.cellPtrOffset) / 2
	n := p.CellCount
	if n > maxCells {
		p.Problems = append(p.Problems, fmt.Sprintf("cell count %d exceeds the page's room for %d", n, maxCells))
		n = maxCells
	}
	if p.ContentStart > usable && p.CellCount > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("cell content start %d past usable size %d", p.ContentStart, usable))
	}
	p.Freeblocks = p.freeblocks(page)
	minCell := p.cellPtrOffset + 2*n
	p.CellOffsets = make([]int, 0, n)
	for i := 0; i < n; i++ {
		off := int(be.Uint16(page[p.cellPtrOffset+2*i:]))
		switch {
		case off < minCell || off >= usable:
			p.Problems = append(p.Problems, fmt.Sprintf("cell %d: pointer %d outside %d..%d", i, off, minCell, usable))
			continue
		case p.inFreeblock(off):
			// A pointer into free space would read a deleted cell.
			p.Problems = append(p.Problems, fmt.Sprintf("cell %d: pointer %d lies in a freeblock", i, off))
			continue
		}
		p.CellOffsets = append(p.CellOffsets, off)
	}
	return p, nil
}

// freeblocks follows the freeblock chain. Offsets must increase, which
// also ends any cycle.
func (p *BtreePage) freeblocks(page []byte) [][2]int {
	var out [][2]int
	prev := 0
	for off := p.FirstFree; off != 0; {
		if off <= prev || off < p.cellPtrOffset || off+4 > p.usable {
			p.Problems = append(p.Problems, fmt.Sprintf("freeblock at %d out of order or outside the page", off))
			break
		}
		next := int(binary.BigEndian.Uint16(page[off:]))
		size := int(binary.BigEndian.Uint16(page[off+2:]))
		if size < 4 || off+size > p.usable {
			p.Problems = append(p.Problems, fmt.Sprintf("freeblock at %d has bad size %d", off, size))
			break
		}
		out = append(out, [2]int{off, off + size})
		prev = off
		off = next
	}
	return out
}

func (p *BtreePage) inFreeblock(off int) bool {
	for _, fb := range p.Freeblocks {
		if off >= fb[0] && off < fb[1] {
			return true
		}
	}
	return false
}

// Cell is one decoded b-tree cell. Payload holds only the part stored on
// the page; PayloadSize is the whole, Overflow the first overflow page.
type Cell struct {
	Offset      int
	LeftChild   uint32 // interior cells
	Rowid       int64  // table cells
	PayloadSize int64  // leaf table cells and index cells
	Payload     []byte // local part, aliasing the page
	// PayloadOffset is where Payload starts in the page.
	PayloadOffset int
	Overflow      uint32 // first overflow page, 0 when all is local
}

// maxLocal and minLocal are the payload thresholds of the file format.
func maxLocal(usable int, table bool) int {
	if table {
		return usable - 35
	}
	return (usable-12)*64/255 - 23
}

func minLocal(usable int) int { return (usable-12)*32/255 - 23 }

// localSize is how much of a payload of size total is stored on the page.
func localSize(total int64, usable int, table bool) int {
	x := maxLocal(usable, table)
	if total <= int64(x) {
		return int(total)
	}
	m := minLocal(usable)
	k := int64(m) + (total-int64(m))%int64(usable-4)
	if k <= int64(x) {
		return int(k)
	}
	return m
}

// Cell decodes the cell at offset off of a page parsed by
// ParseBtreePage.
func (p *BtreePage) Cell(page []byte, off int) (Cell, error) {
	c := Cell{Offset: off}
	if len(page) < p.usable || off < 0 || off >= p.usable {
		return c, fmt.Errorf("cell offset %d outside the page", off)
	}
	b := page[off:p.usable]
	if !p.Kind.IsLeaf() {
		if len(b) < 4 {
			return c, fmt.Errorf("cell at %d: truncated child pointer", off)
		}
		c.LeftChild = binary.BigEndian.Uint32(b)
		b = b[4:]
		if p.Kind == KindTableInterior {
			v, n := Varint(b)
			if n == 0 {
				return c, fmt.Errorf("cell at %d: rowid: %w", off, errVarint)
			}
			c.Rowid = int64(v)
			return c, nil
		}
	}
	size, n := Varint(b)
	if n == 0 {
		return c, fmt.Errorf("cell at %d: payload size: %w", off, errVarint)
	}
	b = b[n:]
	if size > 1<<40 {
		return c, fmt.Errorf("cell at %d: payload size %d is absurd", off, size)
	}
	c.PayloadSize = int64(size)
	table := p.Kind == KindTableLeaf
	if table {
		v, n := Varint(b)
		if n == 0 {
			return c, fmt.Errorf("cell at %d: rowid: %w", off, errVarint)
		}
		c.Rowid = int64(v)
		b = b[n:]
	}
	local := localSize(c.PayloadSize, p.usable, table)
	if local < 0 || local > len(b) {
		return c, fmt.Errorf("cell at %d: %d payload bytes run past the page", off, local)
	}
	c.Payload = b[:local]
	c.PayloadOffset = p.usable - len(b)
	if int64(local) < c.PayloadSize {
		if len(b) < local+4 {
			return c, fmt.Errorf("cell at %d: truncated overflow pointer", off)
		}
		c.Overflow = binary.BigEndian.Uint32(b[local:])
		if c.Overflow == 0 {
			return c, fmt.Errorf("cell at %d: payload of %d bytes has no overflow page", off, c.PayloadSize)
		}
	}
	return c, nil
}

// IsZero reports whether every byte of b is zero.
func IsZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// cellEnd is the offset just past the cell at off.
func (p *BtreePage) cellEnd(page []byte, off int) (int, bool) {
	c, err := p.Cell(page, off)
	if err != nil {
		return 0, false
	}
	if p.Kind == KindTableInterior {
		_, n := Varint(page[off+4 : p.usable])
		return off + 4 + n, true
	}
	end := c.PayloadOffset + len(c.Payload)
	if c.Overflow != 0 {
		end += 4
	}
	return end, true
}

// fillsPage reports whether the page's cells (or a freeblock) reach the
// end of the usable area, as on every page SQLite writes that has cells.
func (p *BtreePage) fillsPage(page []byte) bool {
	if len(p.CellOffsets) == 0 {
		return false
	}
	for _, fb := range p.Freeblocks {
		if fb[1] == p.usable {
			return true
		}
	}
	for _, off := range p.CellOffsets {
		if end, ok := p.cellEnd(page, off); ok && end == p.usable {
			return true
		}
	}
	return false
}
