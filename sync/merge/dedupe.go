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

// dupeQueues are the local candidates of one folder, in child order, per
// dedupe key: a FIFO list per key threaded through lc and next, so that
// one map and two slices serve every folder of a merge.
type dupeQueues struct {
	heads    map[dedupeKey]int32 // first entry of the key's list
	lc, next []int32             // entry: the local child, and the next entry with its key (-1 at the end)
	tails    []int32             // entry at the end of the list that starts here (heads only)
}

// dupeQueueReuse is how many keys a folder may leave in the map for the
// next folder to clear; clearing costs the map's capacity, so after a
// bigger folder the map is dropped instead.
const dupeQueueReuse = 256

func (q *dupeQueues) reset() {
	if len(q.heads) > dupeQueueReuse {
		q.heads = nil
	}
	if q.heads == nil {
		q.heads = make(map[dedupeKey]int32)
	} else {
		clear(q.heads)
	}
	q.lc, q.next, q.tails = q.lc[:0], q.next[:0], q.tails[:0]
}

func (q *dupeQueues) push(key dedupeKey, lc int32) {
	e := int32(len(q.lc))
	q.lc, q.next, q.tails = append(q.lc, lc), append(q.next, -1), append(q.tails, e)
	if h, ok := q.heads[key]; ok {
		q.next[q.tails[h]] = e
		q.tails[h] = e
		return
	}
	q.heads[key] = e
}

// computeDupes is docs/merge.md#deduplication for the merged folder with local node lp
// and remote node rp, cached under lp.
func (m *merger) computeDupes(lp, rp int32) {
	// Tables indexed by node (made with the merger's others), not maps:
	// a large merge computes the matches of many folders, and maps keyed
	// by index grow, rehash and scatter their entries over memory.
	if m.dupeDone[lp] {
		return
	}
	m.dupeDone[lp] = true
	q := &m.dupes
	started := false
	for k, lc := range m.l.Children(lp) {
		LC := m.l.Node(lc)
		if LC.Content == nil || m.lToR[lc] >= 0 || m.lTombR[lc] || LC.IsBuiltInRoot() {
			continue
		}
		if !started {
			q.reset()
			started = true
		}
		q.push(keyOf(LC.Content, k), lc)
	}
	if !started {
		return
	}
	for k, rc := range m.r.Children(rp) {
		RC := m.r.Node(rc)
		if RC.Content == nil || m.rToL[rc] >= 0 || m.rTombL[rc] || RC.IsBuiltInRoot() {
			continue
		}
		if m.dupeR2L[rc] != 0 {
			continue // paired already
		}
		key := keyOf(RC.Content, k)
		head, ok := q.heads[key]
		if !ok {
			continue
		}
		// The first local candidate the user did not refuse to match.
		prev, e := int32(-1), head
		for ; e >= 0; prev, e = e, q.next[e] {
			if m.ov == nil || len(m.ov.RefuseDedupe) == 0 {
				break
			}
			lc := q.lc[e]
			if !m.ov.RefuseDedupe[DedupePair{Local: m.l.Node(lc).GUID, Remote: RC.GUID}] {
				break
			}
			if m.explain {
				m.record(Event{GUID: RC.GUID, Kind: EventDedupeRefused, Chosen: ChoiceSeparate, Default: ChoiceMatch,
					Reason: ReasonOverride, Other: m.l.Node(lc).GUID, Alternatives: altMatch, Overridden: true, IsConflict: true})
			}
		}
		if e < 0 {
			continue
		}
		switch next := q.next[e]; {
		case prev >= 0:
			q.next[prev] = next
			if q.tails[head] == e {
				q.tails[head] = prev
			}
		case next >= 0:
			q.heads[key] = next
			q.tails[next] = q.tails[head]
		default:
			delete(q.heads, key)
		}
		lc := q.lc[e]
		m.dupeL2R[lc] = rc + 1
		m.dupeR2L[rc] = lc + 1
	}
}

// localDupe returns the local item matched with remote child rc.
func (m *merger) localDupe(lp, rp, rc int32) (int32, bool) {
	m.computeDupes(lp, rp)
	li := m.dupeR2L[rc] - 1
	if li < 0 || m.lDone(li) {
		return 0, false
	}
	return li, true
}

// remoteDupe returns the remote item matched with local child lc.
func (m *merger) remoteDupe(lp, rp, lc int32) (int32, bool) {
	m.computeDupes(lp, rp)
	ri := m.dupeL2R[lc] - 1
	if ri < 0 || m.rDone(ri) {
		return 0, false
	}
	return ri, true
}
