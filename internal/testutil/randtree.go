package testutil

import (
	"fmt"
	"math/rand/v2"

	"github.com/bmtui/bmtui/sync/tree"
)

// RandomPair is a random local/remote pair of bookmark trees that share a
// common ancestor state, with independent changes on each side.
type RandomPair struct {
	Local, Remote *tree.Tree
	// LocalErr and RemoteErr are build errors (a cycle from random parentid
	// records); the trees are still usable.
	LocalErr, RemoteErr error
	// GUIDs are every GUID that appears as an item or tombstone on either
	// side, in a deterministic order (for picking random overrides).
	GUIDs []string
	// DedupeCandidates are (local, remote) GUID pairs of new items created
	// with the same content.
	DedupeCandidates [][2]string
}

// RandomPairOptions control RandomTreePair.
type RandomPairOptions struct {
	Items        int  // items in the shared state (default 40)
	Changes      int  // random changes per side (default Items/3)
	InvalidGUIDs bool // some items get invalid GUIDs
	Divergent    bool // the remote side gets inconsistent parent records
}

type rnode struct {
	guid     string
	kind     tree.Kind
	age      int64
	changed  bool
	validity tree.Validity
	content  *tree.Content
	parent   int
	kids     []int
	dead     bool
}

type side struct {
	nodes      []rnode
	tombstones []string
}

func (s *side) clone() *side {
	c := &side{nodes: make([]rnode, len(s.nodes))}
	copy(c.nodes, s.nodes)
	for i := range c.nodes {
		c.nodes[i].kids = append([]int(nil), s.nodes[i].kids...)
	}
	return c
}

func (s *side) isAncestor(a, i int) bool {
	for ; i >= 0; i = s.nodes[i].parent {
		if i == a {
			return true
		}
	}
	return false
}

func (s *side) detach(i int) {
	p := s.nodes[i].parent
	kids := s.nodes[p].kids
	for k, c := range kids {
		if c == i {
			s.nodes[p].kids = append(kids[:k:k], kids[k+1:]...)
			break
		}
	}
}

func (s *side) attach(i, p, pos int) {
	s.nodes[i].parent = p
	kids := s.nodes[p].kids
	if pos > len(kids) {
		pos = len(kids)
	}
	s.nodes[p].kids = append(kids[:pos:pos], append([]int{i}, kids[pos:]...)...)
}

func (s *side) touch(i int, rng *rand.Rand) {
	s.nodes[i].changed = true
	s.nodes[i].age = rng.Int64N(600_000)
}

func (s *side) liveFolders(skipRoot bool) []int {
	var out []int
	for i, n := range s.nodes {
		if n.dead || n.kind != tree.KindFolder || (skipRoot && i == 0) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func (s *side) live() []int {
	var out []int
	for i, n := range s.nodes {
		if !n.dead && i != 0 && !tree.IsBuiltInRoot(n.guid) {
			out = append(out, i)
		}
	}
	return out
}

// RandomTreePair generates a deterministic random pair from seed.
func RandomTreePair(seed uint64, o RandomPairOptions) *RandomPair {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if o.Items <= 0 {
		o.Items = 40
	}
	if o.Changes <= 0 {
		o.Changes = o.Items/3 + 1
	}
	counter := 0
	newGUID := func() string {
		counter++
		if o.InvalidGUIDs && rng.IntN(25) == 0 {
			return fmt.Sprintf("bad%d", counter)
		}
		return fmt.Sprintf("it%010d", counter)
	}
	oldAge := func() int64 { return 100_000_000 + rng.Int64N(100_000_000) }
	base := &side{}
	base.nodes = append(base.nodes, rnode{guid: tree.RootGUID, kind: tree.KindFolder, parent: -1})
	roots := []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID}
	if rng.IntN(3) == 0 {
		roots = append(roots, tree.TagsGUID)
	}
	if rng.IntN(4) == 0 {
		roots = append(roots, "leftpaneROOT") // a non-syncable custom root
	}
	for _, g := range roots {
		base.nodes = append(base.nodes, rnode{guid: g, kind: tree.KindFolder, age: oldAge(), parent: 0})
		base.nodes[0].kids = append(base.nodes[0].kids, len(base.nodes)-1)
	}
	randomKind := func() tree.Kind {
		switch x := rng.IntN(100); {
		case x < 25:
			return tree.KindFolder
		case x < 32:
			return tree.KindSeparator
		case x < 37:
			return tree.KindQuery
		case x < 39:
			return tree.KindLivemark
		}
		return tree.KindBookmark
	}
	titles := []string{"a", "b", "c", "news", "docs"}
	contentFor := func(k tree.Kind) *tree.Content {
		switch k {
		case tree.KindFolder:
			return &tree.Content{Kind: tree.ContentFolder, Title: titles[rng.IntN(len(titles))]}
		case tree.KindSeparator:
			return &tree.Content{Kind: tree.ContentSeparator}
		case tree.KindLivemark:
			return nil
		}
		t := titles[rng.IntN(len(titles))]
		return &tree.Content{Kind: tree.ContentBookmark, Title: t, URL: "https://" + t + ".example/"}
	}
	for len(base.nodes) < o.Items+len(roots)+1 {
		fs := base.liveFolders(true)
		p := fs[rng.IntN(len(fs))]
		k := randomKind()
		base.nodes = append(base.nodes, rnode{guid: newGUID(), kind: k, age: oldAge(), parent: p})
		base.attach(len(base.nodes)-1, p, rng.IntN(len(base.nodes[p].kids)+1))
	}

	pair := &RandomPair{}
	var newContent []*tree.Content
	var newBySide [2][]int
	mutate := func(s *side, which int) {
		for c := 0; c < o.Changes; c++ {
			items := s.live()
			switch op := rng.IntN(10); {
			case op < 2 && len(items) > 0: // move
				i := items[rng.IntN(len(items))]
				fs := s.liveFolders(true)
				p := fs[rng.IntN(len(fs))]
				if s.isAncestor(i, p) {
					continue
				}
				s.touch(s.nodes[i].parent, rng)
				s.detach(i)
				s.attach(i, p, rng.IntN(len(s.nodes[p].kids)+1))
				s.touch(p, rng)
				if rng.IntN(2) == 0 {
					s.touch(i, rng)
				}
			case op < 3 && len(items) > 0: // delete a subtree
				i := items[rng.IntN(len(items))]
				s.touch(s.nodes[i].parent, rng)
				s.detach(i)
				var kill func(j int, top bool)
				kill = func(j int, top bool) {
					s.nodes[j].dead = true
					if top || rng.IntN(8) != 0 {
						s.tombstones = append(s.tombstones, s.nodes[j].guid)
					}
					for _, k := range s.nodes[j].kids {
						kill(k, false)
					}
				}
				kill(i, true)
			case op < 6: // add
				fs := s.liveFolders(true)
				p := fs[rng.IntN(len(fs))]
				k := randomKind()
				n := rnode{guid: newGUID(), kind: k, parent: p}
				if len(newContent) > 0 && rng.IntN(3) == 0 {
					n.content = newContent[rng.IntN(len(newContent))]
					if n.content.Kind == tree.ContentFolder {
						n.kind = tree.KindFolder
					} else if n.content.Kind == tree.ContentSeparator {
						n.kind = tree.KindSeparator
					} else {
						n.kind = tree.KindBookmark
					}
				} else {
					n.content = contentFor(k)
					if n.content != nil {
						newContent = append(newContent, n.content)
					}
				}
				s.nodes = append(s.nodes, n)
				i := len(s.nodes) - 1
				s.attach(i, p, rng.IntN(len(s.nodes[p].kids)+1))
				s.touch(i, rng)
				s.touch(p, rng)
				newBySide[which] = append(newBySide[which], i)
			case op < 8 && len(items) > 0: // edit
				i := items[rng.IntN(len(items))]
				s.touch(i, rng)
				switch rng.IntN(12) {
				case 0:
					s.nodes[i].validity = tree.Replace
				case 1:
					s.nodes[i].validity = tree.Reupload
				case 2:
					if s.nodes[i].kind == tree.KindBookmark {
						s.nodes[i].kind = tree.KindQuery
					}
				}
			default: // reorder a folder
				fs := s.liveFolders(false)
				p := fs[rng.IntN(len(fs))]
				kids := s.nodes[p].kids
				rng.Shuffle(len(kids), func(a, b int) { kids[a], kids[b] = kids[b], kids[a] })
				s.touch(p, rng)
			}
		}
		// Occasionally forget a needs_merge flag on a folder.
		for i := range s.nodes {
			if s.nodes[i].kind == tree.KindFolder && rng.IntN(20) == 0 {
				s.nodes[i].changed = !s.nodes[i].changed
			}
		}
	}
	local, remote := base.clone(), base.clone()
	// The local side is mutated first; new remote items then reuse its
	// content, so dedupe candidates exist.
	mutate(local, 0)
	mutate(remote, 1)
	for _, li := range newBySide[0] {
		for _, ri := range newBySide[1] {
			if local.nodes[li].content != nil && local.nodes[li].content == remote.nodes[ri].content {
				pair.DedupeCandidates = append(pair.DedupeCandidates, [2]string{local.nodes[li].guid, remote.nodes[ri].guid})
			}
		}
	}
	pair.Local, pair.LocalErr = buildSide(local, rng, false)
	pair.Remote, pair.RemoteErr = buildSide(remote, rng, o.Divergent)
	seen := map[string]bool{}
	for _, s := range []*side{local, remote} {
		for _, n := range s.nodes {
			if !seen[n.guid] {
				seen[n.guid] = true
				pair.GUIDs = append(pair.GUIDs, n.guid)
			}
		}
	}
	return pair
}

func buildSide(s *side, rng *rand.Rand, divergent bool) (*tree.Tree, error) {
	b := tree.NewBuilderSized(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}, len(s.nodes))
	order := make([]int, 0, len(s.nodes))
	var walk func(i int)
	walk = func(i int) {
		for _, k := range s.nodes[i].kids {
			order = append(order, k)
			walk(k)
		}
	}
	walk(0)
	items := append([]int(nil), order...)
	if divergent {
		rng.Shuffle(len(items), func(a, b int) { items[a], items[b] = items[b], items[a] })
	}
	for _, i := range items {
		n := s.nodes[i]
		_ = b.Item(tree.Item{GUID: n.guid, Kind: n.kind, Age: n.age, NeedsMerge: n.changed, Validity: n.validity, Content: n.content})
	}
	folders := []string{}
	for _, i := range order {
		if s.nodes[i].kind == tree.KindFolder {
			folders = append(folders, s.nodes[i].guid)
		}
	}
	if !divergent {
		for _, i := range order {
			_ = b.Structure(s.nodes[i].guid, s.nodes[s.nodes[i].parent].guid)
		}
	} else {
		for _, i := range items {
			n := s.nodes[i]
			parent := s.nodes[n.parent].guid
			switch rng.IntN(30) {
			case 0:
				continue // no parentid
			case 1:
				parent = "missingPARNT"
			case 2:
				if len(folders) > 0 {
					parent = folders[rng.IntN(len(folders))]
				}
			}
			_ = b.ParentID(n.guid, parent)
		}
		for _, p := range append([]int{0}, order...) {
			if s.nodes[p].kind != tree.KindFolder {
				continue
			}
			for _, k := range s.nodes[p].kids {
				if rng.IntN(40) == 0 {
					continue // not listed
				}
				_ = b.ChildOf(s.nodes[k].guid, s.nodes[p].guid)
				if rng.IntN(60) == 0 && len(folders) > 0 {
					// Also listed by another folder.
					_ = b.ChildOf(s.nodes[k].guid, folders[rng.IntN(len(folders))])
				}
			}
			if rng.IntN(50) == 0 {
				_ = b.ChildOf("missingCHILD", s.nodes[p].guid)
			}
			if rng.IntN(50) == 0 && len(s.tombstones) > 0 {
				_ = b.ChildOf(s.tombstones[rng.IntN(len(s.tombstones))], s.nodes[p].guid)
			}
		}
	}
	for _, g := range s.tombstones {
		b.Tombstone(g)
	}
	return b.Build()
}
