package sqlitepage

import (
	"errors"
	"fmt"
	"strings"
)

// pageSet is a set of page numbers 1..n.
type pageSet []uint64

func newPageSet(n uint32) pageSet { return make(pageSet, uint64(n)/64+1) }

func (s pageSet) has(p uint32) bool { return s[p/64]&(1<<(p%64)) != 0 }
func (s pageSet) add(p uint32)      { s[p/64] |= 1 << (p % 64) }

// problems collects Problems up to a limit, counting the rest.
type problems struct {
	list    []Problem
	max     int
	dropped int
}

func (p *problems) add(page uint32, cell int, format string, args ...any) {
	if len(p.list) >= p.max {
		p.dropped++
		return
	}
	p.list = append(p.list, Problem{Page: page, Cell: cell, Err: fmt.Sprintf(format, args...)})
}

// treePage is a b-tree page handed to a walk's visitor.
type treePage struct {
	pgno  uint32
	data  []byte
	bp    *BtreePage
	depth int
}

// walkBtree visits the pages of the b-tree rooted at root in key order.
// visit returns false to stop the walk.
// visited breaks cycles and keeps pages shared by two trees (damage)
// from being walked twice; a page already in it is reported and skipped.
// Children whose kind does not match the root's (table or index) are
// reported and skipped.
func (f *File) walkBtree(root uint32, visited pageSet, probs *problems, visit func(treePage) bool) {
	type item struct {
		pgno  uint32
		depth int
	}
	stack := []item{{root, 1}}
	table, known := false, false
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.pgno == 0 || it.pgno > f.nPages {
			probs.add(it.pgno, -1, "child of tree %d out of range 1..%d", root, f.nPages)
			continue
		}
		if visited.has(it.pgno) {
			probs.add(it.pgno, -1, "reached twice (tree %d): cycle or shared page", root)
			continue
		}
		visited.add(it.pgno)
		if it.depth > f.limits.MaxDepth {
			probs.add(it.pgno, -1, "tree %d deeper than %d levels", root, f.limits.MaxDepth)
			continue
		}
		data, err := f.page(it.pgno)
		if err != nil {
			probs.add(it.pgno, -1, "%v", err)
			continue
		}
		bp, err := ParseBtreePage(data, it.pgno, f.usable)
		if err != nil {
			probs.add(it.pgno, -1, "in tree %d: %v", root, err)
			continue
		}
		if !known {
			table, known = bp.Kind.IsTable(), true
		} else if bp.Kind.IsTable() != table {
			probs.add(it.pgno, -1, "%s page inside tree %d of the other kind", bp.Kind, root)
			continue
		}
		for _, p := range bp.Problems {
			probs.add(it.pgno, -1, "%s", p)
		}
		if !visit(treePage{it.pgno, data, bp, it.depth}) {
			return
		}
		if bp.Kind.IsLeaf() {
			continue
		}
		// Push right-most first so that the left-most child is visited
		// first.
		stack = append(stack, item{bp.RightChild, it.depth + 1})
		for i := len(bp.CellOffsets) - 1; i >= 0; i-- {
			c, err := bp.Cell(data, bp.CellOffsets[i])
			if err != nil {
				probs.add(it.pgno, i, "%v", err)
				continue
			}
			stack = append(stack, item{c.LeftChild, it.depth + 1})
		}
	}
}

// followOverflow walks the overflow chain that starts at first, for a
// payload needing need more bytes, calling fn with each page's content
// part. The chain stops at need bytes, so its length is bounded; a page
// seen twice is a cycle.
func (f *File) followOverflow(first uint32, need int64, fn func(pgno uint32, content []byte)) error {
	per := int64(f.usable - 4)
	var seen map[uint32]bool
	for next := first; need > 0; {
		if next == 0 {
			return fmt.Errorf("overflow chain ends %d bytes early", need)
		}
		if seen[next] {
			return fmt.Errorf("overflow chain loops at page %d", next)
		}
		if seen == nil {
			seen = map[uint32]bool{}
		}
		seen[next] = true
		data, err := f.page(next)
		if err != nil {
			return fmt.Errorf("overflow chain: %w", err)
		}
		n := min(per, need)
		fn(next, data[4:4+n])
		need -= n
		next = be32(data, 0)
	}
	return nil
}

// payload assembles the whole payload of a cell, following its overflow
// chain. Without overflow it aliases the page.
func (f *File) payload(c Cell) ([]byte, error) {
	if c.Overflow == 0 {
		return c.Payload, nil
	}
	if c.PayloadSize > f.limits.MaxPayload {
		return nil, fmt.Errorf("payload of %d bytes exceeds the %d-byte limit", c.PayloadSize, f.limits.MaxPayload)
	}
	// The chain cannot hold more than the database's pages do, whatever
	// the cell claims: size the buffer for the smaller.
	room := int64(len(c.Payload)) + int64(f.nPages)*int64(f.usable-4)
	buf := make([]byte, len(c.Payload), min(c.PayloadSize, room))
	copy(buf, c.Payload)
	err := f.followOverflow(c.Overflow, c.PayloadSize-int64(len(c.Payload)), func(_ uint32, b []byte) {
		buf = append(buf, b...)
	})
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// aliasable reports whether values may share the bytes of c's assembled
// payload rather than copy them. Pages are never written once read, so
// sharing is always safe; it is chosen where it holds no more memory
// than a copy would: a payload assembled from an overflow chain is a
// private buffer of its own size, and a file held whole stays in memory
// anyway.
func (f *File) aliasable(c Cell) bool { return c.Overflow != 0 || f.whole != nil }

// Row is one row of a table b-tree leaf. When the cell is damaged, Err
// says why and Values is nil, except for ErrTorn, whose Values are kept
// for a caller that wants to look at them. The Values slice is valid
// only during the call that hands the Row over (the reader reuses it);
// the values themselves may be kept.
type Row struct {
	Page   uint32
	Cell   int
	Rowid  int64
	Values []Value
	// Orphan marks a row found on a table leaf page that no b-tree
	// reaches (cut off by damage), attributed to the table by its shape.
	Orphan bool
	Err    error
}

// ErrTorn marks a cell that runs into a zeroed tail of its page, as a
// torn write leaves it, or whose text holds a sector of zeros: its
// values may hold zeros instead of data.
var ErrTorn = errors.New("cell runs into the zeroed tail of a torn page")

// sector is the unit in which disks tear writes.
const sector = 512

var zeroSector = string(make([]byte, sector))

// zeroedText reports a text value holding a sector of NUL bytes: no
// application writes that, but a zeroed or torn overflow page leaves it.
// Blobs may legitimately hold zeros and are not judged.
func zeroedText(vals []Value) bool {
	for _, v := range vals {
		if s, ok := v.Text(); ok && len(s) >= sector && strings.Contains(s, zeroSector) {
			return true
		}
	}
	return false
}

// zeroTail returns where the all-zero end of a page starts, at a
// 512-byte (sector) boundary and at least one sector long, or len(b).
func zeroTail(b []byte) int {
	t := len(b)
	for t >= sector && IsZero(b[t-sector:t]) {
		t -= sector
	}
	if len(b)-t < sector {
		return len(b)
	}
	return t
}

// leafRows decodes every cell of a table leaf page.
func (f *File) leafRows(tp treePage, fn func(Row) error) error {
	tail := zeroTail(tp.data[:tp.bp.usable])
	var scratch []Value // one row's values, reused: Values live only during fn
	for i, off := range tp.bp.CellOffsets {
		r := Row{Page: tp.pgno, Cell: i}
		c, err := tp.bp.Cell(tp.data, off)
		if err == nil {
			r.Rowid = c.Rowid
			var pl []byte
			if pl, err = f.payload(c); err == nil {
				r.Values, err = decodeRecord(scratch, pl, f.hdr.Encoding, f.aliasable(c))
				scratch = r.Values
			}
			if end := c.PayloadOffset + len(c.Payload); err == nil && tail < tp.bp.usable && end > tail {
				err = fmt.Errorf("bytes %d..%d: %w", off, end, ErrTorn)
			}
			if err == nil && zeroedText(r.Values) {
				err = fmt.Errorf("text with a run of %d NUL bytes (a zeroed overflow page?): %w", sector, ErrTorn)
			}
		}
		r.Err = err
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// TableRows calls fn with every row of the table b-tree rooted at root,
// in rowid order, damaged cells included (with Err set). Problems
// reached on the way (unreadable pages, cycles) are returned; fn's error
// stops the walk and is returned as err.
func (f *File) TableRows(root uint32, fn func(Row) error) (probs []Problem, err error) {
	ps := &problems{max: f.limits.MaxProblems}
	var stop error
	f.walkBtree(root, newPageSet(f.nPages), ps, func(tp treePage) bool {
		if tp.bp.Kind == KindTableLeaf {
			stop = f.leafRows(tp, fn)
		}
		return stop == nil
	})
	if ps.dropped > 0 {
		ps.list = append(ps.list, Problem{Page: root, Cell: -1, Err: fmt.Sprintf("%d more problems not listed", ps.dropped)})
	}
	return ps.list, stop
}

// IndexRows calls fn with every entry of the index b-tree rooted at root
// (interior cells hold entries too), in key order as far as the walk
// allows. Values are the indexed columns followed by the rowid, which is
// also in Rowid. An index outlives damage to its table: its entries name
// the rows a damaged table page held.
func (f *File) IndexRows(root uint32, fn func(Row) error) (probs []Problem, err error) {
	ps := &problems{max: f.limits.MaxProblems}
	var stop error
	var scratch []Value // one entry's values, reused: Values live only during fn
	f.walkBtree(root, newPageSet(f.nPages), ps, func(tp treePage) bool {
		if tp.bp.Kind.IsTable() {
			ps.add(tp.pgno, -1, "table page where an index was expected")
			return false
		}
		for i, off := range tp.bp.CellOffsets {
			r := Row{Page: tp.pgno, Cell: i}
			c, err := tp.bp.Cell(tp.data, off)
			if err == nil {
				var pl []byte
				if pl, err = f.payload(c); err == nil {
					r.Values, err = decodeRecord(scratch, pl, f.hdr.Encoding, f.aliasable(c))
					scratch = r.Values
				}
			}
			if err == nil && len(r.Values) > 0 {
				r.Rowid, _ = r.Values[len(r.Values)-1].Int()
			}
			r.Err = err
			if stop = fn(r); stop != nil {
				return false
			}
		}
		return true
	})
	if ps.dropped > 0 {
		ps.list = append(ps.list, Problem{Page: root, Cell: -1, Err: fmt.Sprintf("%d more problems not listed", ps.dropped)})
	}
	return ps.list, stop
}
