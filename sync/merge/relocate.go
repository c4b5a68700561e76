package merge

import "github.com/bmtui/bmtui/sync/tree"

// relocateUnmerged is the package's deliberate divergence from dogear (see
// the package documentation): items that exist on either side but were
// neither merged nor deleted are merged into their closest surviving
// ancestor instead of failing the merge with UnmergedLocalItems.
func (m *merger) relocateUnmerged(root *Node) error {
	lost := false
	for i := int32(1); i < int32(m.l.Len()) && !lost; i++ {
		lost = !m.lMentioned(i)
	}
	for j := int32(1); j < int32(m.r.Len()) && !lost; j++ {
		lost = !m.rMentioned(j)
	}
	if !lost {
		return nil
	}
	byLocal := make(map[*tree.Node]*Node)
	byRemote := make(map[*tree.Node]*Node)
	index := func(n *Node) {
		var rec func(n *Node)
		rec = func(n *Node) {
			if n.Local != nil {
				byLocal[n.Local] = n
			}
			if n.Remote != nil {
				byRemote[n.Remote] = n
			}
			for _, c := range n.Children {
				rec(c)
			}
		}
		rec(n)
	}
	index(root)

	ancestor := func(t *tree.Tree, by map[*tree.Node]*Node, i int32) *Node {
		for a := t.Node(i).Parent; a >= 0; a = t.Node(a).Parent {
			if n := by[t.Node(a)]; n != nil {
				return n
			}
		}
		return nil
	}
	relocate := func(li, ri int32) error {
		var target *Node
		localFirst := ri < 0
		if li >= 0 && ri >= 0 {
			lp, rp := max(m.l.Node(li).Parent, 0), max(m.r.Node(ri).Parent, 0)
			side, _, _ := m.resolveStructure(lp, li, rp, ri)
			localFirst = side == ChoiceLocal
		}
		if localFirst {
			if target = ancestor(m.l, byLocal, li); target == nil && ri >= 0 {
				target = ancestor(m.r, byRemote, ri)
			}
		} else {
			if target = ancestor(m.r, byRemote, ri); target == nil && li >= 0 {
				target = ancestor(m.l, byLocal, li)
			}
		}
		if target == nil {
			target = root
		}
		var c *Node
		var err error
		switch {
		case li >= 0 && ri >= 0:
			c, err = m.mergePair(li, ri)
		case li >= 0:
			c, err = m.mergeLocalOnly(li)
		default:
			c, err = m.mergeRemoteOnly(ri)
		}
		if err != nil {
			return err
		}
		c.newLocal()
		c.newRemote()
		target.newLocal()
		target.newRemote()
		target.Children = append(target.Children[:len(target.Children):len(target.Children)], c)
		m.counts.MergedNodes++
		if m.explain {
			m.explainRelocated(c, target, ReasonMovedOutOfDeleted)
		}
		index(c)
		return nil
	}

	var err error
	m.l.Walk(func(i int32, _ *tree.Node) bool {
		if i == 0 || m.lDone(i) || m.lMentioned(i) {
			return true
		}
		err = relocate(i, m.lToR[i])
		return err == nil
	})
	if err != nil {
		return err
	}
	m.r.Walk(func(j int32, _ *tree.Node) bool {
		if j == 0 || m.rDone(j) || m.rMentioned(j) {
			return true
		}
		err = relocate(m.rToL[j], j)
		return err == nil
	})
	return err
}
