package merge

import "github.com/bmtui/bmtui/sync/tree"

func keyOf(c *tree.Content, pos int) dedupeKey {
	k := dedupeKey{kind: c.Kind, pos: -1}
	if c.Kind == tree.ContentSeparator {
		k.pos = int32(pos)
	} else {
		k.title, k.url = c.Title, c.URL
	}
	return k
}

// computeDupes is docs/merge.md#deduplication for the merged folder with local node lp
// and remote node rp, cached under lp.
func (m *merger) computeDupes(lp, rp int32) {
	if m.dupeDone == nil {
		m.dupeDone = make(map[int32]struct{})
		m.dupeL2R = make(map[int32]int32)
		m.dupeR2L = make(map[int32]int32)
	}
	if _, ok := m.dupeDone[lp]; ok {
		return
	}
	m.dupeDone[lp] = struct{}{}
	LP, RP := m.l.Node(lp), m.r.Node(rp)
	var queues map[dedupeKey][]int32
	for k, lc := range LP.Children {
		LC := m.l.Node(lc)
		if LC.Content == nil || m.lToR[lc] >= 0 || m.lTombR[lc] || LC.IsBuiltInRoot() {
			continue
		}
		if queues == nil {
			queues = make(map[dedupeKey][]int32)
		}
		key := keyOf(LC.Content, k)
		queues[key] = append(queues[key], lc)
	}
	if queues == nil {
		return
	}
	for k, rc := range RP.Children {
		RC := m.r.Node(rc)
		if RC.Content == nil || m.rToL[rc] >= 0 || m.rTombL[rc] || RC.IsBuiltInRoot() {
			continue
		}
		if _, paired := m.dupeR2L[rc]; paired {
			continue
		}
		key := keyOf(RC.Content, k)
		q := queues[key]
		if len(q) == 0 {
			continue
		}
		pick := 0
		if m.ov != nil && len(m.ov.RefuseDedupe) > 0 {
			pick = -1
			for x, lc := range q {
				if m.ov.RefuseDedupe[DedupePair{Local: m.l.Node(lc).GUID, Remote: RC.GUID}] {
					if m.explain {
						m.record(Event{GUID: RC.GUID, Kind: EventDedupeRefused, Chosen: ChoiceSeparate, Default: ChoiceMatch,
							Reason: ReasonOverride, Other: m.l.Node(lc).GUID, Alternatives: altMatch, Overridden: true, IsConflict: true})
					}
					continue
				}
				pick = x
				break
			}
			if pick < 0 {
				continue
			}
		}
		lc := q[pick]
		queues[key] = append(q[:pick:pick], q[pick+1:]...)
		m.dupeL2R[lc] = rc
		m.dupeR2L[rc] = lc
	}
}

// localDupe returns the local item matched with remote child rc.
func (m *merger) localDupe(lp, rp, rc int32) (int32, bool) {
	m.computeDupes(lp, rp)
	li, ok := m.dupeR2L[rc]
	if !ok || m.lDone(li) {
		return 0, false
	}
	return li, true
}

// remoteDupe returns the remote item matched with local child lc.
func (m *merger) remoteDupe(lp, rp, lc int32) (int32, bool) {
	m.computeDupes(lp, rp)
	ri, ok := m.dupeL2R[lc]
	if !ok || m.rDone(ri) {
		return 0, false
	}
	return ri, true
}
