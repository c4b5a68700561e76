package merge

import (
	"context"
	"sort"
	"unsafe"

	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/sync/tree"
)

// walk order for a pair's children (docs/merge.md#value-and-walk-order)
type order uint8

const (
	orderUnchanged order = iota
	orderLocal
	orderRemote
)

// outcome of the structure checks (docs/merge.md#remote-side-check, #local-side-check)
type status uint8

const (
	statusUnchanged status = iota
	statusMoved
	statusDeleted
)

type dedupeKey struct {
	kind       tree.ContentKind
	pos        int32
	title, url string
}

type merger struct {
	ctx     context.Context
	l, r    *tree.Tree
	newGUID func(string) (string, error)
	explain bool
	ov      *Overrides // nil when there are none

	lToR, rToL       []int32 // same-GUID counterpart index, or -1
	lTombR, rTombL   []bool  // local item is a remote tombstone; remote item a local tombstone
	lMerged, rMerged []bool
	extra            map[string]struct{} // generated GUIDs added to merged

	// Deletions are kept by index while walking: a GUID set would hash
	// every deleted item's GUID, scattered over the heap, and again for
	// every lookup. lDel marks local items deleted locally, rDel remote
	// items deleted on the server (a replaced GUID's old one too);
	// tombLocal and tombRemote are the other side's tombstones that
	// nothing mentioned, added when the walk is done.
	lDel, rDel            []bool
	tombLocal, tombRemote map[string]struct{}

	dupeDone         []bool     // by local parent: its dedupe matches are computed
	dupeL2R, dupeR2L []int32    // the matched counterpart's index plus one, or 0
	dupes            dupeQueues // reused by each folder's matching

	counts  Counts
	touched uint8 // keeps Touch's reads
	slab    []Node
	arena   []*Node
	stack   []*Node
	events  []Event
	ticks   uint32
	err     error
}

// Merge merges the local and the remote tree. It fails without a partial
// result on incompatible kinds, invalid GUIDs (unless opts.NewGUID is set),
// GUID clashes and cancellation of ctx.
func Merge(ctx context.Context, local, remote *tree.Tree, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nl, nr := local.Len(), remote.Len()
	m := &merger{
		ctx:        ctx,
		l:          local,
		r:          remote,
		newGUID:    opts.NewGUID,
		explain:    opts.Explain,
		tombLocal:  make(map[string]struct{}, remote.TombstoneCount()),
		tombRemote: make(map[string]struct{}, local.TombstoneCount()),
		slab:       make([]Node, 0, min(max(nl, nr)+min(nl, nr)/16+16, slabChunk)),
		arena:      make([]*Node, 0, min(max(nl, nr)+min(nl, nr)/16+16, arenaChunk)),
		stack:      make([]*Node, 0, 256),
	}
	if !opts.Overrides.empty() {
		m.ov = &opts.Overrides
	}
	// One allocation for the per-index tables.
	// The dedupe tables share them: in huge pages where large, and
	// touched only where a folder's matches are computed.
	ints := hugepages.Make[int32](2*(nl+nr), 2*(nl+nr))
	m.lToR, m.rToL = ints[:nl:nl], ints[nl:nl+nr:nl+nr]
	m.dupeL2R, m.dupeR2L = ints[nl+nr:2*nl+nr:2*nl+nr], ints[2*nl+nr:]
	bools := hugepages.Make[bool](4*nl+3*nr, 4*nl+3*nr)
	take := func(k int) []bool {
		b := bools[:k:k]
		bools = bools[k:]
		return b
	}
	m.lTombR, m.rTombL = take(nl), take(nr)
	m.lMerged, m.rMerged = take(nl), take(nr)
	m.lDel, m.rDel = take(nl), take(nr)
	m.dupeDone = take(nl)
	for i := range m.lToR {
		m.lToR[i] = -1
	}
	for j := range m.rToL {
		m.rToL[j] = -1
	}
	remote.Pair(local, m.rToL, m.lToR)
	localTombs, remoteTombs := local.Tombstones(), remote.Tombstones()
	for _, g := range localTombs {
		if j, ok := remote.Index(g); ok {
			m.rTombL[j] = true
		}
	}
	for _, g := range remoteTombs {
		if i, ok := local.Index(g); ok {
			m.lTombR[i] = true
		}
	}

	root, err := m.mergePair(0, 0)
	if err != nil {
		return nil, err
	}
	if err := m.relocateUnmerged(root); err != nil {
		return nil, err
	}

	// docs/merge.md#finishing: tombstones nobody mentioned, then the consistency check.
	for _, g := range localTombs {
		if !m.mentioned(g) {
			m.tombRemote[g] = struct{}{}
		}
	}
	for _, g := range remoteTombs {
		if !m.mentioned(g) {
			m.tombLocal[g] = struct{}{}
		}
	}
	for i := int32(1); i < int32(nl); i++ {
		if !m.lMentioned(i) {
			return nil, &Error{Kind: ErrUnmergedLocalItems, GUID: local.Node(i).GUID}
		}
	}
	for j := int32(1); j < int32(nr); j++ {
		if !m.rMentioned(j) {
			return nil, &Error{Kind: ErrUnmergedRemoteItems, GUID: remote.Node(j).GUID}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	res := &Result{
		Root:       root,
		Counts:     m.counts,
		Events:     m.events,
		local:      local,
		remote:     remote,
		lDel:       m.lDel,
		rDel:       m.rDel,
		tombLocal:  m.tombLocal,
		tombRemote: m.tombRemote,
	}
	m.listDeletions(res)
	return res, nil
}

// listDeletions fills the result's sorted deletion lists. An item
// deleted on both sides is one GUID, listed once; the tombstone sets
// hold no item's GUID (the walk mentions every item), so they overlap
// neither the items nor each other.
func (m *merger) listDeletions(res *Result) {
	for i, del := range m.lDel {
		if !del {
			continue
		}
		g := m.l.Node(int32(i)).GUID
		res.Deletions = append(res.Deletions, g)
		if j := m.lToR[i]; j < 0 || !m.rDel[j] {
			res.LocalDeletions = append(res.LocalDeletions, g)
		}
	}
	for j, del := range m.rDel {
		if !del {
			continue
		}
		g := m.r.Node(int32(j)).GUID
		res.RemoteDeletions = append(res.RemoteDeletions, g)
		if i := m.rToL[j]; i < 0 || !m.lDel[i] {
			res.Deletions = append(res.Deletions, g)
		}
	}
	for g := range m.tombLocal {
		res.Deletions = append(res.Deletions, g)
		res.LocalDeletions = append(res.LocalDeletions, g)
	}
	for g := range m.tombRemote {
		res.Deletions = append(res.Deletions, g)
		res.RemoteDeletions = append(res.RemoteDeletions, g)
	}
	sort.Strings(res.Deletions)
	sort.Strings(res.LocalDeletions)
	sort.Strings(res.RemoteDeletions)
}

// tick checks for cancellation every 1024 merged nodes.
func (m *merger) tick() error {
	m.ticks++
	if m.ticks&1023 == 0 {
		return m.ctx.Err()
	}
	return nil
}

func (m *merger) inExtra(g string) bool {
	if m.extra == nil {
		return false
	}
	_, ok := m.extra[g]
	return ok
}

// lDone and rDone report whether an item's GUID is already in merged.
func (m *merger) lDone(i int32) bool {
	return m.lMerged[i] || (m.extra != nil && m.inExtra(m.l.Node(i).GUID))
}

func (m *merger) rDone(j int32) bool {
	return m.rMerged[j] || (m.extra != nil && m.inExtra(m.r.Node(j).GUID))
}

// mergedGUID reports whether guid is in merged.
func (m *merger) mergedGUID(g string) bool {
	if i, ok := m.l.Index(g); ok && m.lMerged[i] {
		return true
	}
	if j, ok := m.r.Index(g); ok && m.rMerged[j] {
		return true
	}
	return m.inExtra(g)
}

// mentioned reports whether guid was merged or deleted on either side.
func (m *merger) mentioned(g string) bool {
	if m.mergedGUID(g) {
		return true
	}
	if i, ok := m.l.Index(g); ok && m.lDel[i] {
		return true
	}
	if j, ok := m.r.Index(g); ok && m.rDel[j] {
		return true
	}
	return m.inTombSets(g)
}

func (m *merger) inTombSets(g string) bool {
	if _, ok := m.tombLocal[g]; ok {
		return true
	}
	_, ok := m.tombRemote[g]
	return ok
}

// lMentioned is mentioned(m.l.Node(i).GUID), from the pairing: the
// local item's own index and its remote twin's stand in for looking its
// GUID up in both trees and in the deletions, random probes into tables
// that outgrow the caches in large trees.
func (m *merger) lMentioned(i int32) bool {
	if m.lMerged[i] || m.lDel[i] {
		return true
	}
	if j := m.lToR[i]; j >= 0 && (m.rMerged[j] || m.rDel[j]) {
		return true
	}
	return m.unpairedMentioned(m.l.Node(i).GUID)
}

// rMentioned is mentioned(m.r.Node(j).GUID), as lMentioned.
func (m *merger) rMentioned(j int32) bool {
	if m.rMerged[j] || m.rDel[j] {
		return true
	}
	if i := m.rToL[j]; i >= 0 && (m.lMerged[i] || m.lDel[i]) {
		return true
	}
	return m.unpairedMentioned(m.r.Node(j).GUID)
}

// unpairedMentioned is what mentioned(g) adds, for an item's GUID, to
// the flags of the item and its twin: rare, so it is asked only when
// there is something to ask.
func (m *merger) unpairedMentioned(g string) bool {
	if m.extra != nil && m.inExtra(g) {
		return true
	}
	return (len(m.tombLocal) > 0 || len(m.tombRemote) > 0) && m.inTombSets(g)
}

func (m *merger) record(e Event) {
	e.Seq = len(m.events)
	if !e.Overridden {
		e.Default = e.Chosen
	}
	m.events = append(m.events, e)
}

// The merged nodes and their children lists are allocated 4 MiB at a
// time. One array for a large merge (64 MB at a million items) needs that
// much contiguous free heap, which the garbage the tree builders left
// does not offer: the runtime maps fresh memory for it, and on this
// project's VM the kernel takes 1.3–2 ms to supply each fresh megabyte.
// Pieces of a few huge pages fit where that garbage was, at every size,
// as one array does only for small merges.
const (
	slabChunk  = 4 << 20 / int(unsafe.Sizeof(Node{}))
	arenaChunk = 4 << 20 / int(unsafe.Sizeof((*Node)(nil)))
)

// newNode allocates merged nodes from slabs.
func (m *merger) newNode(guid string, st State, l, r *tree.Node, same sameGUID) *Node {
	if len(m.slab) == cap(m.slab) {
		m.slab = make([]Node, 0, slabChunk)
	}
	m.slab = m.slab[:len(m.slab)+1]
	n := &m.slab[len(m.slab)-1]
	n.GUID, n.State, n.Local, n.Remote, n.same = guid, st, l, r, same
	return n
}

// appendChild appends c to the node whose children are being walked.
func (m *merger) appendChild(c *Node) {
	m.stack = append(m.stack, c)
	m.counts.MergedNodes++
}

// finishChildren moves the children collected since start into n.
func (m *merger) finishChildren(n *Node, start int) {
	k := len(m.stack) - start
	if k == 0 {
		return
	}
	if len(m.arena)+k > cap(m.arena) {
		m.arena = make([]*Node, 0, max(arenaChunk, k))
	}
	lo := len(m.arena)
	m.arena = m.arena[:lo+k]
	kids := m.arena[lo : lo+k : lo+k]
	copy(kids, m.stack[start:])
	clear(m.stack[start:])
	m.stack = m.stack[:start]
	n.Children = kids
}

// replaceGUID asks the driver for a replacement of an invalid GUID and adds
// it to merged (docs/merge.md#replacement-guids, #one-sided-items); ri is
// the remote item's index, whose old GUID the server deletes, or -1 for
// a local item.
func (m *merger) replaceGUID(old string, ri int32) (string, error) {
	if m.newGUID == nil {
		return "", &Error{Kind: ErrInvalidGUID, GUID: old}
	}
	g, err := m.newGUID(old)
	if err != nil {
		return "", &Error{Kind: ErrInvalidGUID, GUID: old, Err: err}
	}
	if !tree.IsValidGUID(g) {
		return "", &Error{Kind: ErrInvalidGUID, GUID: g}
	}
	if g != old && m.mergedGUID(g) {
		return "", &Error{Kind: ErrDuplicateItem, GUID: g}
	}
	if m.extra == nil {
		m.extra = make(map[string]struct{})
	}
	m.extra[g] = struct{}{}
	if ri >= 0 {
		m.rDel[ri] = true
	}
	if m.explain {
		m.record(Event{GUID: old, Kind: EventGUIDReplaced, Chosen: ChoiceNone, Reason: ReasonInvalidGUID, Other: g})
	}
	return g, nil
}

// childrenMatch reports whether local item li and remote item ri list the
// same child GUIDs in the same order.
func (m *merger) childrenMatch(li, ri int32) bool {
	lKids, rKids := m.l.Children(li), m.r.Children(ri)
	if len(lKids) != len(rKids) {
		return false
	}
	for k, lc := range lKids {
		if m.lToR[lc] != rKids[k] {
			return false
		}
	}
	return true
}

func newerOrder(L, R *tree.Node) order {
	if L.Age < R.Age {
		return orderLocal
	}
	return orderRemote
}

// resolveValue is docs/merge.md#value-and-walk-order.
func (m *merger) resolveValue(li, ri int32, L, R *tree.Node, placesRoot bool) (Choice, Reason, order) {
	if placesRoot {
		return ChoiceUnchanged, ReasonPlacesRoot, orderLocal
	}
	match := m.childrenMatch(li, ri)
	lRep, rRep := L.Validity == tree.Replace, R.Validity == tree.Replace
	switch {
	case L.NeedsMerge && R.NeedsMerge:
		var v Choice
		reason := ReasonValidity
		switch {
		case R.IsBuiltInRoot():
			v, reason = ChoiceLocal, ReasonContentRoot
		case lRep && rRep:
			v = ChoiceUnchanged
		case lRep:
			v = ChoiceRemote
		case rRep:
			v = ChoiceLocal
		case L.Age < R.Age:
			v, reason = ChoiceLocal, ReasonNewer
		default:
			v, reason = ChoiceRemote, ReasonNewer
		}
		if match {
			return v, reason, orderUnchanged
		}
		return v, reason, newerOrder(L, R)
	case L.NeedsMerge:
		v, reason := ChoiceLocal, ReasonOnlyLocalChanged
		if lRep {
			v, reason = ChoiceRemote, ReasonValidity
		}
		if match {
			return v, reason, orderUnchanged
		}
		return v, reason, orderLocal
	case R.NeedsMerge:
		v, reason := ChoiceRemote, ReasonOnlyRemoteChanged
		switch {
		case R.IsBuiltInRoot():
			v, reason = ChoiceUnchanged, ReasonContentRoot
		case rRep:
			v, reason = ChoiceLocal, ReasonValidity
		}
		if match {
			return v, reason, orderUnchanged
		}
		return v, reason, orderRemote
	default:
		v, reason := ChoiceUnchanged, ReasonNeitherChanged
		switch {
		case lRep && rRep:
			reason = ReasonValidity
		case rRep:
			v, reason = ChoiceLocal, ReasonValidity
		case lRep:
			v, reason = ChoiceRemote, ReasonValidity
		}
		if match {
			return v, reason, orderUnchanged
		}
		return v, reason, newerOrder(L, R)
	}
}

func stateFor(v Choice) State {
	switch v {
	case ChoiceLocal:
		return StateLocal
	case ChoiceRemote:
		return StateRemote
	}
	return StateUnchanged
}

// valueOverride applies the user's value choice, if any and usable.
func (m *merger) valueOverride(L, R *tree.Node, v Choice) (Choice, bool) {
	s, ok := m.ov.Value[R.GUID]
	if !ok && L.GUID != R.GUID {
		s, ok = m.ov.Value[L.GUID]
	}
	if !ok || s == tree.NoSide || R.IsBuiltInRoot() {
		return v, false
	}
	switch {
	case s == tree.Local && L.Validity != tree.Replace:
		return ChoiceLocal, v != ChoiceLocal
	case s == tree.Remote && R.Validity != tree.Replace:
		return ChoiceRemote, v != ChoiceRemote
	}
	return v, false
}

// touch reads what the walk of a folder's children will read of the
// remote tree, before the walk starts: the remote children's nodes and
// flags, and the remote twins of the local children. The remote tree's
// layout need not follow the walk (a mirror's records come in no tree
// order), so each of these reads may miss the caches; read together,
// the misses overlap instead of coming one after the other.
func (m *merger) touch(li, ri int32) {
	acc := uint8(0)
	if ri >= 0 {
		rKids := m.r.Children(ri)
		acc |= m.r.Touch(rKids)
		for _, rc := range rKids {
			acc |= uint8(m.rToL[rc])
			if m.rTombL[rc] || m.rMerged[rc] {
				acc++
			}
		}
	}
	if li >= 0 {
		for _, lc := range m.l.Children(li) {
			if j := m.lToR[lc]; j >= 0 {
				acc |= m.r.Touch1(j) | uint8(m.rToL[j])
			}
		}
	}
	m.touched |= acc
}

// mergePair is docs/merge.md#merging-a-pair.
func (m *merger) mergePair(li, ri int32) (*Node, error) {
	if err := m.tick(); err != nil {
		return nil, err
	}
	L, R := m.l.Node(li), m.r.Node(ri)
	if !tree.CompatibleKinds(L.Kind, R.Kind) {
		return nil, &Error{Kind: ErrMismatchedItemKind, GUID: R.GUID, LocalGUID: L.GUID, LocalKind: L.Kind, RemoteKind: R.Kind}
	}
	m.lMerged[li], m.rMerged[ri] = true, true
	guid := R.GUID
	var same sameGUID // unknown for a replaced GUID: compared when asked
	if !R.HasValidGUID() {
		g, err := m.replaceGUID(R.GUID, ri)
		if err != nil {
			return nil, err
		}
		guid = g
	} else if same = sameKnown | sameRemote; m.lToR[li] == ri {
		same |= sameLocal // paired by GUID, not deduplicated
	}
	isRoot := ri == 0
	value, reason, ord := m.resolveValue(li, ri, L, R, isRoot)
	overridden := false
	dflt := value
	if m.ov != nil && !isRoot {
		value, overridden = m.valueOverride(L, R, value)
	}
	n := m.newNode(guid, stateFor(value), L, R, same)
	if m.explain && !isRoot {
		m.explainValue(n, L, R, value, dflt, reason, overridden, ord)
	}

	m.touch(li, ri)
	start := len(m.stack)
	var err error
	switch ord {
	case orderLocal:
		for _, lc := range m.l.Children(li) {
			if err = m.mergeLocalChild(n, lc, li, ri); err != nil {
				return nil, err
			}
		}
		for _, rc := range m.r.Children(ri) {
			if err = m.mergeRemoteChild(n, rc, ri, li); err != nil {
				return nil, err
			}
		}
	case orderRemote:
		for _, rc := range m.r.Children(ri) {
			if err = m.mergeRemoteChild(n, rc, ri, li); err != nil {
				return nil, err
			}
		}
		for _, lc := range m.l.Children(li) {
			if err = m.mergeLocalChild(n, lc, li, ri); err != nil {
				return nil, err
			}
		}
	default:
		if err = m.mergeLockstep(n, li, ri); err != nil {
			return nil, err
		}
	}
	m.finishChildren(n, start)
	if L.Diverged {
		n.newLocal()
	}
	if R.Diverged || R.Validity != tree.Valid {
		n.newRemote()
	}
	return n, nil
}

func (m *merger) explainValue(n *Node, L, R *tree.Node, value, dflt Choice, reason Reason, overridden bool, ord order) {
	if L.NeedsMerge || R.NeedsMerge || L.Validity != tree.Valid || R.Validity != tree.Valid || overridden {
		e := Event{GUID: n.GUID, Kind: EventValue, Chosen: value, Default: dflt, Reason: reason,
			LocalAge: L.Age, RemoteAge: R.Age, LocalChanged: L.NeedsMerge, RemoteChanged: R.NeedsMerge,
			Alternatives: altLocalRemote, Overridden: overridden,
			IsConflict: L.NeedsMerge && R.NeedsMerge && reason != ReasonContentRoot}
		if overridden {
			e.Reason = ReasonOverride
		}
		if L.GUID != R.GUID {
			e.Other = L.GUID
		}
		m.record(e)
	}
	if ord != orderUnchanged {
		c, reason := ChoiceLocal, ReasonOnlyLocalChanged
		if ord == orderRemote {
			c = ChoiceRemote
		}
		switch {
		case R.Parent < 0:
			reason = ReasonPlacesRoot
		case L.NeedsMerge && R.NeedsMerge, !L.NeedsMerge && !R.NeedsMerge:
			reason = ReasonNewer
		case R.NeedsMerge:
			reason = ReasonOnlyRemoteChanged
		}
		m.record(Event{GUID: n.GUID, Kind: EventChildOrder, Chosen: c, Reason: reason,
			LocalAge: L.Age, RemoteAge: R.Age, LocalChanged: L.NeedsMerge, RemoteChanged: R.NeedsMerge,
			Alternatives: altLocalRemote, IsConflict: L.NeedsMerge && R.NeedsMerge})
	}
}

// mergeLockstep is docs/merge.md#lock-step.
func (m *merger) mergeLockstep(p *Node, li, ri int32) error {
	rKids := m.r.Children(ri)
	for k, lc := range m.l.Children(li) {
		rc := rKids[k]
		if m.lDone(lc) || m.rDone(rc) {
			// Listed twice by both sides: merged once.
			p.newLocal()
			p.newRemote()
			continue
		}
		rs, err := m.checkRemote(p, rc, ri)
		if err != nil {
			return err
		}
		ls, err := m.checkLocal(p, lc, li)
		if err != nil {
			return err
		}
		rDel, lDel := rs == statusDeleted, ls == statusDeleted
		switch {
		case rDel && lDel:
			p.newLocal()
			p.newRemote()
			continue
		case rDel:
			p.newRemote()
			continue
		case lDel:
			p.newLocal()
			continue
		}
		if m.lDone(lc) || m.rDone(rc) {
			p.newLocal()
			p.newRemote()
			continue
		}
		c, err := m.mergePair(lc, rc)
		if err != nil {
			return err
		}
		fixups(p, c)
		m.appendChild(c)
	}
	return nil
}

// fixups applies all three GUID fix-ups (docs/merge.md#guid-fix-ups).
func fixups(p, c *Node) {
	if c.LocalGUIDChanged() {
		c.newLocal()
	}
	if p.RemoteGUIDChanged() {
		c.newRemote()
	}
	if c.RemoteGUIDChanged() {
		p.newRemote()
	}
}

// resolveStructure is docs/merge.md#where-a-child-lives.
func (m *merger) resolveStructure(lp, lc, rp, rc int32) (Choice, Reason, bool) {
	RC := m.r.Node(rc)
	if RC.IsBuiltInRoot() {
		return ChoiceLocal, ReasonContentRoot, false
	}
	LP, LC, RP := m.l.Node(lp), m.l.Node(lc), m.r.Node(rp)
	var c Choice
	var reason Reason
	switch {
	case LP.NeedsMerge && RP.NeedsMerge:
		reason = ReasonNewer
		if min(LC.Age, LP.Age) < min(RC.Age, RP.Age) {
			c = ChoiceLocal
		} else {
			c = ChoiceRemote
		}
	case LP.NeedsMerge:
		c, reason = ChoiceLocal, ReasonOnlyLocalChanged
	case RP.NeedsMerge:
		c, reason = ChoiceRemote, ReasonOnlyRemoteChanged
	default:
		c, reason = ChoiceUnchanged, ReasonNeitherChanged
	}
	if m.ov != nil {
		if s, ok := m.ov.Structure[RC.GUID]; ok {
			switch {
			case s == tree.Local && c != ChoiceLocal:
				return ChoiceLocal, reason, true
			case s == tree.Remote && c == ChoiceLocal:
				return ChoiceRemote, reason, true
			}
		}
	}
	return c, reason, false
}

func (m *merger) explainStructure(c *Node, chosen Choice, reason Reason, overridden bool, lp, rp int32, parent string) {
	L, R := m.l.Node(lp), m.r.Node(rp)
	e := Event{GUID: c.GUID, Kind: EventStructure, Chosen: chosen, Reason: reason,
		LocalAge: c.Local.Age, RemoteAge: c.Remote.Age, LocalChanged: L.NeedsMerge, RemoteChanged: R.NeedsMerge,
		Alternatives: altLocalRemote, Other: parent, Overridden: overridden,
		IsConflict: L.NeedsMerge && R.NeedsMerge}
	if overridden {
		e.Reason = ReasonOverride
		e.Default = ChoiceLocal
		if chosen == ChoiceLocal {
			e.Default = ChoiceRemote
		}
	}
	m.record(e)
}

// mergeRemoteChild is docs/merge.md#remote-child: remote child rc of remote parent rp
// into p, whose local node is lp (or -1).
func (m *merger) mergeRemoteChild(p *Node, rc, rp, lp int32) error {
	if m.rDone(rc) {
		p.newRemote()
		return nil
	}
	st, err := m.checkRemote(p, rc, rp)
	if err != nil {
		return err
	}
	if st == statusDeleted {
		p.newRemote()
		return nil
	}
	if li := m.rToL[rc]; li >= 0 {
		lcp := m.l.Node(li).Parent
		if lcp >= 0 && m.lTombR[lcp] {
			c, err := m.mergePair(li, rc)
			if err != nil {
				return err
			}
			c.newLocal()
			if p.RemoteGUIDChanged() {
				c.newRemote()
			}
			if c.RemoteGUIDChanged() {
				p.newRemote()
			}
			p.newLocal()
			if m.explain {
				m.explainStructure(c, ChoiceRemote, ReasonParentDeleted, false, lcp, rp, p.GUID)
			}
			m.appendChild(c)
			return nil
		}
		if lcp < 0 {
			lcp = 0
		}
		side, reason, over := m.resolveStructure(lcp, li, rp, rc)
		if side == ChoiceLocal {
			p.newRemote()
			return nil
		}
		c, err := m.mergePair(li, rc)
		if err != nil {
			return err
		}
		if m.lToR[lcp] != rp {
			c.newLocal()
			if m.explain {
				m.explainStructure(c, ChoiceRemote, reason, over, lcp, rp, p.GUID)
			}
		}
		fixups(p, c)
		p.newLocal()
		m.appendChild(c)
		return nil
	}
	var c *Node
	if lp >= 0 {
		if li, ok := m.localDupe(lp, rp, rc); ok {
			if c, err = m.mergePair(li, rc); err != nil {
				return err
			}
			m.counts.Dupes++
			if m.explain {
				m.explainDedupe(c)
			}
		}
	}
	if c == nil {
		if c, err = m.mergeRemoteOnly(rc); err != nil {
			return err
		}
	}
	fixups(p, c)
	p.newLocal()
	m.appendChild(c)
	return nil
}

// mergeLocalChild is docs/merge.md#local-child: local child lc of local parent lp into
// p, whose remote node is rp (or -1).
func (m *merger) mergeLocalChild(p *Node, lc, lp, rp int32) error {
	if m.lDone(lc) {
		p.newLocal()
		return nil
	}
	st, err := m.checkLocal(p, lc, lp)
	if err != nil {
		return err
	}
	if st == statusDeleted {
		p.newLocal()
		return nil
	}
	if ri := m.lToR[lc]; ri >= 0 {
		rcp := m.r.Node(ri).Parent
		if rcp >= 0 && m.rTombL[rcp] {
			c, err := m.mergePair(lc, ri)
			if err != nil {
				return err
			}
			if c.LocalGUIDChanged() {
				c.newLocal()
			}
			p.newRemote()
			c.newRemote()
			if m.explain {
				m.explainStructure(c, ChoiceLocal, ReasonParentDeleted, false, lp, rcp, p.GUID)
			}
			m.appendChild(c)
			return nil
		}
		if rcp < 0 {
			rcp = 0
		}
		side, reason, over := m.resolveStructure(lp, lc, rcp, ri)
		if side != ChoiceLocal {
			p.newLocal()
			return nil
		}
		c, err := m.mergePair(lc, ri)
		if err != nil {
			return err
		}
		if c.LocalGUIDChanged() {
			c.newLocal()
		}
		p.newRemote()
		if m.rToL[rcp] != lp {
			c.newRemote()
			if m.explain {
				m.explainStructure(c, ChoiceLocal, reason, over, lp, rcp, p.GUID)
			}
		} else if p.RemoteGUIDChanged() {
			c.newRemote()
		}
		m.appendChild(c)
		return nil
	}
	if rp >= 0 {
		if ri, ok := m.remoteDupe(lp, rp, lc); ok {
			c, err := m.mergePair(lc, ri)
			if err != nil {
				return err
			}
			m.counts.Dupes++
			if m.explain {
				m.explainDedupe(c)
			}
			fixups(p, c)
			p.newLocal()
			m.appendChild(c)
			return nil
		}
	}
	c, err := m.mergeLocalOnly(lc)
	if err != nil {
		return err
	}
	if c.LocalGUIDChanged() {
		c.newLocal()
	}
	p.newRemote()
	c.newRemote()
	m.appendChild(c)
	return nil
}

// mergeLocalOnly is docs/merge.md#one-sided-items for a local item.
func (m *merger) mergeLocalOnly(li int32) (*Node, error) {
	if err := m.tick(); err != nil {
		return nil, err
	}
	L := m.l.Node(li)
	m.lMerged[li] = true
	guid, same := L.GUID, sameKnown|sameLocal
	if !L.HasValidGUID() {
		g, err := m.replaceGUID(L.GUID, -1)
		if err != nil {
			return nil, err
		}
		guid, same = g, 0
	}
	n := m.newNode(guid, StateLocalOnly, L, nil, same)
	m.touch(li, -1)
	start := len(m.stack)
	for _, lc := range m.l.Children(li) {
		if err := m.mergeLocalChild(n, lc, li, -1); err != nil {
			return nil, err
		}
	}
	m.finishChildren(n, start)
	if L.Diverged {
		n.newLocal()
	}
	return n, nil
}

// mergeRemoteOnly is docs/merge.md#one-sided-items for a remote item.
func (m *merger) mergeRemoteOnly(ri int32) (*Node, error) {
	if err := m.tick(); err != nil {
		return nil, err
	}
	R := m.r.Node(ri)
	m.rMerged[ri] = true
	guid, same := R.GUID, sameKnown|sameRemote
	if !R.HasValidGUID() {
		g, err := m.replaceGUID(R.GUID, ri)
		if err != nil {
			return nil, err
		}
		guid, same = g, 0
	}
	n := m.newNode(guid, StateRemoteOnly, nil, R, same)
	m.touch(-1, ri)
	start := len(m.stack)
	for _, rc := range m.r.Children(ri) {
		if err := m.mergeRemoteChild(n, rc, ri, -1); err != nil {
			return nil, err
		}
	}
	m.finishChildren(n, start)
	if R.Diverged || guid != R.GUID || R.Validity != tree.Valid {
		n.newRemote()
	}
	return n, nil
}

// deletionOverride returns the user's keep/delete choice for guid.
func (m *merger) deletionOverride(guid string) Resolution {
	if m.ov == nil {
		return ResolveDefault
	}
	return m.ov.Deletion[guid]
}

// checkRemote is docs/merge.md#remote-side-check for remote node rn under remote parent rp;
// p is the merged node receiving anything a deletion relocates.
func (m *merger) checkRemote(p *Node, rn, rp int32) (status, error) {
	RN := m.r.Node(rn)
	if !RN.Syncable {
		return statusDeleted, m.deleteRemote(p, rn, ReasonNotSyncable)
	}
	if !m.rTombL[rn] {
		if li := m.rToL[rn]; li >= 0 {
			LN := m.l.Node(li)
			if !LN.Syncable {
				return statusDeleted, m.deleteRemote(p, rn, ReasonNotSyncable)
			}
			if LN.Validity == tree.Replace && RN.Validity == tree.Replace {
				return statusDeleted, m.deleteRemote(p, rn, ReasonInvalid)
			}
			if LN.Parent < 0 || m.lToR[LN.Parent] != rp {
				return statusMoved, nil
			}
			return statusUnchanged, nil
		}
		if RN.Validity == tree.Replace {
			return statusDeleted, m.deleteRemote(p, rn, ReasonInvalid)
		}
		return statusUnchanged, nil
	}
	// Deleted locally.
	if RN.Validity == tree.Replace {
		return statusDeleted, m.deleteRemote(p, rn, ReasonInvalid)
	}
	if RN.IsBuiltInRoot() {
		return statusUnchanged, nil
	}
	keep, reason, overridden := m.survivesDeletion(RN)
	if keep {
		m.counts.RemoteRevives++
		if m.explain {
			m.explainDeletion(RN.GUID, EventRevived, ChoiceKeep, reason, overridden, nil, RN)
		}
		return statusUnchanged, nil
	}
	if RN.NeedsMerge {
		m.counts.LocalDeletes++
	}
	if m.explain {
		m.explainDeletion(RN.GUID, EventDeletionWon, ChoiceDelete, reason, overridden, nil, RN)
	}
	return statusDeleted, m.deleteRemoteNode(p, rn)
}

// checkLocal is docs/merge.md#local-side-check for local node ln under local parent lp.
func (m *merger) checkLocal(p *Node, ln, lp int32) (status, error) {
	LN := m.l.Node(ln)
	if !LN.Syncable {
		return statusDeleted, m.deleteLocal(p, ln, ReasonNotSyncable)
	}
	if !m.lTombR[ln] {
		if ri := m.lToR[ln]; ri >= 0 {
			RN := m.r.Node(ri)
			if !RN.Syncable {
				return statusDeleted, m.deleteLocal(p, ln, ReasonNotSyncable)
			}
			if LN.Validity == tree.Replace && RN.Validity == tree.Replace {
				return statusDeleted, m.deleteLocal(p, ln, ReasonInvalid)
			}
			if RN.Parent < 0 || m.rToL[RN.Parent] != lp {
				return statusMoved, nil
			}
			return statusUnchanged, nil
		}
		if LN.Validity == tree.Replace {
			return statusDeleted, m.deleteLocal(p, ln, ReasonInvalid)
		}
		return statusUnchanged, nil
	}
	// Deleted remotely.
	if LN.Validity == tree.Replace {
		return statusDeleted, m.deleteLocal(p, ln, ReasonInvalid)
	}
	if LN.IsBuiltInRoot() {
		return statusUnchanged, nil
	}
	keep, reason, overridden := m.survivesDeletion(LN)
	if keep {
		m.counts.LocalRevives++
		if m.explain {
			m.explainDeletion(LN.GUID, EventRevived, ChoiceKeep, reason, overridden, LN, nil)
		}
		return statusUnchanged, nil
	}
	if LN.NeedsMerge {
		m.counts.RemoteDeletes++
	}
	if m.explain {
		m.explainDeletion(LN.GUID, EventDeletionWon, ChoiceDelete, reason, overridden, LN, nil)
	}
	return statusDeleted, m.deleteLocalNode(p, ln)
}

// survivesDeletion decides whether n, changed or not on its side, beats
// its deletion on the other side: a changed non-folder is revived, a
// folder deletion always wins (docs/merge.md#remote-side-check, #local-side-check), unless the user chose.
func (m *merger) survivesDeletion(n *tree.Node) (keep bool, reason Reason, overridden bool) {
	keep = n.NeedsMerge && !n.IsFolder()
	switch {
	case keep:
		reason = ReasonChangedBeatsDelete
	case n.NeedsMerge:
		reason = ReasonFolderDeletion
	default:
		reason = ReasonUnchanged
	}
	dflt := keep
	switch m.deletionOverride(n.GUID) {
	case ResolveKeep:
		keep = true
	case ResolveDelete:
		keep = false
	}
	return keep, reason, keep != dflt
}

func (m *merger) explainDeletion(guid string, kind EventKind, chosen Choice, reason Reason, overridden bool, L, R *tree.Node) {
	e := Event{GUID: guid, Kind: kind, Chosen: chosen, Reason: reason, Alternatives: altKeepDelete, Overridden: overridden}
	if L != nil {
		e.LocalAge, e.LocalChanged = L.Age, L.NeedsMerge
	}
	if R != nil {
		e.RemoteAge, e.RemoteChanged = R.Age, R.NeedsMerge
	}
	e.IsConflict = e.LocalChanged || e.RemoteChanged
	if overridden {
		e.Reason = ReasonOverride
		e.Default = ChoiceKeep
		if chosen == ChoiceKeep {
			e.Default = ChoiceDelete
		}
	}
	m.record(e)
}

func (m *merger) deleteRemote(p *Node, rn int32, reason Reason) error {
	if m.explain {
		R := m.r.Node(rn)
		m.record(Event{GUID: R.GUID, Kind: EventDeleted, Chosen: ChoiceDelete, Reason: reason, RemoteAge: R.Age, RemoteChanged: R.NeedsMerge})
	}
	return m.deleteRemoteNode(p, rn)
}

func (m *merger) deleteLocal(p *Node, ln int32, reason Reason) error {
	if m.explain {
		L := m.l.Node(ln)
		m.record(Event{GUID: L.GUID, Kind: EventDeleted, Chosen: ChoiceDelete, Reason: reason, LocalAge: L.Age, LocalChanged: L.NeedsMerge})
	}
	return m.deleteLocalNode(p, ln)
}

// deleteRemoteNode is docs/merge.md#deleting-and-relocating.
func (m *merger) deleteRemoteNode(p *Node, rn int32) error {
	m.rDel[rn] = true
	for _, rc := range m.r.Children(rn) {
		if m.rDone(rc) {
			continue
		}
		st, err := m.checkRemote(p, rc, rn)
		if err != nil {
			return err
		}
		if st != statusUnchanged {
			continue
		}
		var c *Node
		if li := m.rToL[rc]; li >= 0 {
			c, err = m.mergePair(li, rc)
		} else {
			c, err = m.mergeRemoteOnly(rc)
		}
		if err != nil {
			return err
		}
		p.newLocal()
		p.newRemote()
		c.newLocal()
		c.newRemote()
		if m.explain {
			m.explainRelocated(c, p, ReasonParentDeleted)
		}
		m.appendChild(c)
	}
	return nil
}

// deleteLocalNode is docs/merge.md#deleting-and-relocating.
func (m *merger) deleteLocalNode(p *Node, ln int32) error {
	m.lDel[ln] = true
	for _, lc := range m.l.Children(ln) {
		if m.lDone(lc) {
			continue
		}
		st, err := m.checkLocal(p, lc, ln)
		if err != nil {
			return err
		}
		if st != statusUnchanged {
			continue
		}
		var c *Node
		if ri := m.lToR[lc]; ri >= 0 {
			c, err = m.mergePair(lc, ri)
		} else {
			c, err = m.mergeLocalOnly(lc)
		}
		if err != nil {
			return err
		}
		p.newLocal()
		p.newRemote()
		c.newLocal()
		c.newRemote()
		if m.explain {
			m.explainRelocated(c, p, ReasonParentDeleted)
		}
		m.appendChild(c)
	}
	return nil
}

func (m *merger) explainRelocated(c, p *Node, reason Reason) {
	e := Event{GUID: c.GUID, Kind: EventRelocated, Chosen: ChoiceKeep, Reason: reason, Other: p.GUID,
		Alternatives: altKeepDelete, IsConflict: true}
	if c.Local != nil {
		e.LocalAge, e.LocalChanged = c.Local.Age, c.Local.NeedsMerge
	}
	if c.Remote != nil {
		e.RemoteAge, e.RemoteChanged = c.Remote.Age, c.Remote.NeedsMerge
	}
	m.record(e)
}

func (m *merger) explainDedupe(c *Node) {
	m.record(Event{GUID: c.GUID, Kind: EventDedupe, Chosen: ChoiceMatch, Reason: ReasonSameContent, Other: c.Local.GUID,
		LocalAge: c.Local.Age, RemoteAge: c.Remote.Age, LocalChanged: c.Local.NeedsMerge, RemoteChanged: c.Remote.NeedsMerge,
		Alternatives: altMatch, IsConflict: true})
}
