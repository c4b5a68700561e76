package sqlitepage

import (
	"fmt"
	"slices"
)

// PageInfo is what the survey learnt about one page.
type PageInfo struct {
	Kind PageKind
	// Root is the root page of the b-tree that reaches this page (for
	// overflow pages, of the tree whose cell owns the chain); 0 when no
	// tree from the schema reaches it.
	Root uint32
	// Free marks freelist pages (trunk or leaf): their content is deleted
	// data and must not be read as rows.
	Free bool
}

// Reachable reports whether a b-tree from the schema reaches the page.
func (p PageInfo) Reachable() bool { return p.Root != 0 }

// Survey is a scan of every page of the database.
type Survey struct {
	// Pages[i] describes page i+1.
	Pages []PageInfo
	// FreePages counts freelist pages found; FreelistComplete reports that
	// it matches the header's count. When it does not, some deleted pages
	// may look like orphan leaves.
	FreePages        int
	FreelistComplete bool
	// Orphans are table leaf pages that no b-tree reaches and that are not
	// free: rows cut off by a damaged interior page.
	Orphans []uint32
	// Roots are the b-tree roots walked (from the schema).
	Roots    []uint32
	Problems []Problem
	// DroppedProblems counts problems beyond the limit.
	DroppedProblems int
}

// Counts tallies pages by kind.
func (s *Survey) Counts() map[PageKind]int {
	m := map[PageKind]int{}
	for _, p := range s.Pages {
		m[p.Kind]++
	}
	return m
}

// Info returns what the survey knows of page pgno.
func (s *Survey) Info(pgno uint32) PageInfo {
	if pgno == 0 || int(pgno) > len(s.Pages) {
		return PageInfo{Kind: KindUnreadable}
	}
	return s.Pages[pgno-1]
}

// Survey scans every page once (the result is kept): the freelist,
// pointer maps, every b-tree reachable from the schema with its overflow
// chains, then every page nobody reached, classified by its content.
func (f *File) Survey() *Survey {
	if f.survey != nil {
		return f.survey
	}
	s := &Survey{Pages: make([]PageInfo, f.nPages)}
	ps := &problems{max: f.limits.MaxProblems}
	f.surveyFreelist(s, ps)
	f.surveyFixed(s)
	visited := newPageSet(f.nPages)
	for pg := range s.Pages {
		if s.Pages[pg].Kind != KindUnknown {
			visited.add(uint32(pg + 1))
		}
	}
	schema, _ := f.Schema()
	roots := []uint32{1}
	for _, e := range schema {
		if e.RootPage > 1 {
			roots = append(roots, e.RootPage)
		}
	}
	for _, root := range roots {
		f.surveyTree(s, root, visited, ps)
	}
	f.surveyRest(s, ps)
	// Schema rows on orphan pages (a damaged sqlite_schema interior)
	// name roots not walked yet.
	for _, e := range f.orphanSchema(s) {
		if e.RootPage > 1 && !slices.Contains(roots, e.RootPage) && int(e.RootPage) <= len(s.Pages) && !s.Pages[e.RootPage-1].Reachable() {
			f.schema = append(f.schema, e)
			roots = append(roots, e.RootPage)
			f.surveyTree(s, e.RootPage, visited, ps)
		}
	}
	s.Roots = roots
	s.Orphans = s.Orphans[:0]
	for i, p := range s.Pages {
		if p.Kind == KindTableLeaf && !p.Reachable() && !p.Free {
			s.Orphans = append(s.Orphans, uint32(i+1))
		}
	}
	s.Problems, s.DroppedProblems = ps.list, ps.dropped
	f.survey = s
	return s
}

// surveyFreelist marks the trunk and leaf pages of the freelist.
func (f *File) surveyFreelist(s *Survey, ps *problems) {
	if !f.hdr.MagicOK {
		// A damaged header's freelist pointer cannot be trusted, and
		// without it deleted pages look like orphans.
		ps.add(1, -1, "header damaged: the freelist is unknown, orphan pages may hold deleted rows")
		return
	}
	maxLeaves := uint32(f.usable/4 - 2)
	for trunk := f.hdr.FreelistTrunk; trunk != 0; {
		if trunk > f.nPages {
			ps.add(trunk, -1, "freelist trunk out of range 1..%d", f.nPages)
			break
		}
		if s.Pages[trunk-1].Free {
			ps.add(trunk, -1, "freelist trunk chain loops")
			break
		}
		s.Pages[trunk-1] = PageInfo{Kind: KindFreeTrunk, Free: true}
		s.FreePages++
		data, err := f.page(trunk)
		if err != nil {
			ps.add(trunk, -1, "freelist trunk: %v", err)
			break
		}
		n := be32(data, 4)
		if n > maxLeaves {
			ps.add(trunk, -1, "freelist trunk lists %d leaves, room for %d", n, maxLeaves)
			n = maxLeaves
		}
		for i := uint32(0); i < n; i++ {
			leaf := be32(data, 8+4*int(i))
			if leaf == 0 || leaf > f.nPages || s.Pages[leaf-1].Free {
				ps.add(trunk, int(i), "freelist leaf %d invalid or listed twice", leaf)
				continue
			}
			s.Pages[leaf-1] = PageInfo{Kind: KindFreeLeaf, Free: true}
			s.FreePages++
		}
		trunk = be32(data, 0)
	}
	s.FreelistComplete = uint32(s.FreePages) == f.hdr.FreelistCount
	if !s.FreelistComplete {
		ps.add(0, -1, "freelist: found %d pages, header says %d", s.FreePages, f.hdr.FreelistCount)
	}
}

// surveyFixed marks pointer-map pages (auto-vacuum databases) and the
// lock-byte page, whose positions the format fixes.
func (f *File) surveyFixed(s *Survey) {
	mark := func(pg uint64, k PageKind) {
		if pg >= 1 && pg <= uint64(len(s.Pages)) && !s.Pages[pg-1].Free {
			s.Pages[pg-1].Kind = k
		}
	}
	if lock := uint64(1<<30)/uint64(f.pageSize) + 1; lock <= uint64(f.nPages) {
		mark(lock, KindLockByte)
	}
	if f.hdr.LargestRootPage == 0 {
		return
	}
	step := uint64(f.usable/5 + 1)
	for pg := uint64(2); pg <= uint64(f.nPages); pg += step {
		mark(pg, KindPointerMap)
	}
}

// surveyTree walks one b-tree, marking its pages and overflow chains.
func (f *File) surveyTree(s *Survey, root uint32, visited pageSet, ps *problems) {
	f.walkBtree(root, visited, ps, func(tp treePage) bool {
		if p := s.Pages[tp.pgno-1]; p.Free {
			ps.add(tp.pgno, -1, "page of tree %d is also on the freelist", root)
		}
		s.Pages[tp.pgno-1] = PageInfo{Kind: tp.bp.Kind, Root: root, Free: s.Pages[tp.pgno-1].Free}
		f.markOverflow(s, tp, root, visited, ps)
		return true
	})
}

// markOverflow marks the overflow chains of a b-tree page's cells.
func (f *File) markOverflow(s *Survey, tp treePage, root uint32, visited pageSet, ps *problems) {
	if tp.bp.Kind == KindTableInterior {
		return
	}
	for i, off := range tp.bp.CellOffsets {
		c, err := tp.bp.Cell(tp.data, off)
		if err != nil {
			ps.add(tp.pgno, i, "%v", err)
			continue
		}
		if c.Overflow == 0 {
			continue
		}
		if c.PayloadSize > f.limits.MaxPayload {
			ps.add(tp.pgno, i, "payload of %d bytes exceeds the limit", c.PayloadSize)
			continue
		}
		clash := uint32(0)
		err = f.followOverflow(c.Overflow, c.PayloadSize-int64(len(c.Payload)), func(pg uint32, _ []byte) {
			if visited.has(pg) {
				// Another tree, chain or the freelist has it: leave it be.
				if clash == 0 {
					clash = pg
				}
				return
			}
			visited.add(pg)
			s.Pages[pg-1] = PageInfo{Kind: KindOverflow, Root: root}
		})
		if clash != 0 {
			ps.add(tp.pgno, i, "overflow chain runs into page %d, which is already %s", clash, s.Pages[clash-1].Kind)
		}
		if err != nil {
			ps.add(tp.pgno, i, "%v", err)
		}
	}
}

// surveyRest classifies the pages nothing reached by their content, then
// marks the overflow chains of orphan b-tree pages so that those pages
// are not mistaken for orphans themselves.
func (f *File) surveyRest(s *Survey, ps *problems) {
	var orphans []uint32 // numbers only: holding their bytes would hold the file
	for i := range s.Pages {
		pg := uint32(i + 1)
		if s.Pages[i].Kind != KindUnknown {
			continue
		}
		data, err := f.page(pg)
		if err != nil {
			s.Pages[i].Kind = KindUnreadable
			ps.add(pg, -1, "%v", err)
			continue
		}
		if IsZero(data) {
			s.Pages[i].Kind = KindZero
			continue
		}
		bp, err := ParseBtreePage(data, pg, f.usable)
		// A damaged orphan still gives its good cells, but a page of
		// other data whose first byte happens to be a b-tree flag rarely
		// has half its cell pointers in range.
		if err != nil || (len(bp.Problems) > 0 && 2*len(bp.CellOffsets) < bp.CellCount) {
			continue
		}
		for _, p := range bp.Problems {
			ps.add(pg, -1, "orphan %s: %s", bp.Kind, p)
		}
		s.Pages[i].Kind = bp.Kind
		if bp.Kind != KindTableInterior {
			orphans = append(orphans, pg)
		}
	}
	// Chains of orphan cells: only over pages still unclaimed.
	claimed := newPageSet(f.nPages)
	for i, p := range s.Pages {
		if p.Reachable() || p.Free || p.Kind == KindPointerMap || p.Kind == KindLockByte {
			claimed.add(uint32(i + 1))
		}
	}
	sub := &problems{max: 0}
	for _, pg := range orphans {
		if s.Pages[pg-1].Kind == KindOverflow {
			continue
		}
		data, err := f.page(pg)
		if err != nil {
			continue
		}
		if bp, err := ParseBtreePage(data, pg, f.usable); err == nil {
			f.markOverflow(s, treePage{pgno: pg, data: data, bp: bp}, 0, claimed, sub)
		}
	}
	if sub.dropped > 0 {
		ps.add(0, -1, "%d orphan cells with broken overflow chains", sub.dropped)
	}
}

// String summarises the survey in one line.
func (s *Survey) String() string {
	c := s.Counts()
	return fmt.Sprintf("%d pages: %d table leaf (%d orphan), %d table interior, %d index, %d overflow, %d free, %d zero, %d unknown, %d unreadable; %d problems",
		len(s.Pages), c[KindTableLeaf], len(s.Orphans), c[KindTableInterior], c[KindIndexLeaf]+c[KindIndexInterior],
		c[KindOverflow], s.FreePages, c[KindZero], c[KindUnknown], c[KindUnreadable], len(s.Problems)+s.DroppedProblems)
}
