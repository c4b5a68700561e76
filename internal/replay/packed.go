package replay

import (
	"fmt"
	"math"

	"github.com/bmtui/bmtui/sync/tree"
)

// Packed is a Side held for replaying many times, as dogear-bench holds
// its parsed input: the records are plain numbers and the GUIDs one block
// of text, so the garbage collector has almost nothing to scan in it, and
// it takes about half the memory. The bench fixture's two 10k sides name
// a GUID 90,000 times, and the collector traced every one in every cycle
// of a timing run; that lengthened each cycle, and what the merge
// allocated meanwhile raised the next cycle's goal, and the process's
// peak memory with it. The trees built from it are the Side's.
type Packed struct {
	root       tree.Item
	fallback   string
	text       string // every GUID the records name, each once
	items      []packedItem
	extras     []extra // the content and info of the items that have any
	parents    []packedParent
	tombstones []span
}

// span is a GUID's place in Packed.text.
type span struct{ off, n uint32 }

type packedItem struct {
	age        int64
	guid       span
	extra      int32 // index in Packed.extras; -1 for none
	kind       tree.Kind
	needsMerge bool
	validity   tree.Validity
}

type extra struct {
	content *tree.Content
	info    *tree.Info
}

type packedParent struct {
	child, parent span
	by            By
}

// Pack packs a side. Its items keep their content and info, shared.
func Pack(s *Side) (*Packed, error) {
	p := &Packed{
		root:       s.Root,
		fallback:   s.Fallback,
		items:      make([]packedItem, len(s.Items)),
		parents:    make([]packedParent, len(s.Parents)),
		tombstones: make([]span, len(s.Tombstones)),
	}
	spans := make(map[string]span, len(s.Items))
	var text []byte
	place := func(guid string) span {
		if sp, ok := spans[guid]; ok {
			return sp
		}
		sp := span{uint32(len(text)), uint32(len(guid))}
		text = append(text, guid...)
		spans[guid] = sp
		return sp
	}
	for i, it := range s.Items {
		p.items[i] = packedItem{age: it.Age, guid: place(it.GUID), extra: -1, kind: it.Kind, needsMerge: it.NeedsMerge, validity: it.Validity}
		if it.Content != nil || it.Info != nil {
			p.items[i].extra = int32(len(p.extras))
			p.extras = append(p.extras, extra{it.Content, it.Info})
		}
	}
	for i, par := range s.Parents {
		p.parents[i] = packedParent{place(par.Child), place(par.Parent), par.By}
	}
	for i, g := range s.Tombstones {
		p.tombstones[i] = place(g)
	}
	if len(text) > math.MaxUint32 || len(p.extras) > math.MaxInt32 {
		return nil, fmt.Errorf("pack: %d bytes of GUIDs and %d items with content: too many to number", len(text), len(p.extras))
	}
	p.text = string(text)
	return p, nil
}

// Items is the number of item records.
func (p *Packed) Items() int { return len(p.items) }

func (p *Packed) guid(sp span) string { return p.text[sp.off : sp.off+sp.n] }

func (p *Packed) item(pi packedItem) tree.Item {
	it := tree.Item{GUID: p.guid(pi.guid), Age: pi.age, Kind: pi.kind, NeedsMerge: pi.needsMerge, Validity: pi.validity}
	if pi.extra >= 0 {
		it.Content, it.Info = p.extras[pi.extra].content, p.extras[pi.extra].info
	}
	return it
}

// Side unpacks the records, for what needs them as a Side (benchscale's
// copies).
func (p *Packed) Side() *Side {
	s := &Side{
		Root:       p.root,
		Fallback:   p.fallback,
		Items:      make([]tree.Item, len(p.items)),
		Parents:    make([]Parent, len(p.parents)),
		Tombstones: make([]string, len(p.tombstones)),
	}
	for i, pi := range p.items {
		s.Items[i] = p.item(pi)
	}
	for i, pp := range p.parents {
		s.Parents[i] = Parent{Child: p.guid(pp.child), Parent: p.guid(pp.parent), By: pp.by}
	}
	for i, sp := range p.tombstones {
		s.Tombstones[i] = p.guid(sp)
	}
	return s
}

// Build replays the records into a new builder and builds the tree, as
// Side.Build does.
func (p *Packed) Build() (*tree.Tree, error) {
	b := tree.NewBuilderSized(p.root, len(p.items))
	b.ReparentOrphansTo(p.fallback)
	for _, pi := range p.items {
		if err := addItem(b, p.item(pi)); err != nil {
			return nil, err
		}
	}
	var ahead prefetcher
	child := func(j int) string { return p.guid(p.parents[j].child) }
	for k, pp := range p.parents {
		ahead.at(b, k, len(p.parents), child)
		if err := addParent(b, p.guid(pp.child), p.guid(pp.parent), pp.by); err != nil {
			return nil, err
		}
	}
	for _, sp := range p.tombstones {
		b.Tombstone(p.guid(sp))
	}
	return b.Build()
}
