package jsonout

import (
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/record"
)

// MergedNode is one node of the merged tree.
type MergedNode struct {
	GUID       string        `json:"guid"`
	Kind       string        `json:"kind"`
	Title      string        `json:"title,omitempty"`
	URL        string        `json:"url,omitempty"`
	State      string        `json:"state"`
	LocalGUID  string        `json:"localGuid,omitempty"`
	RemoteGUID string        `json:"remoteGuid,omitempty"`
	Children   []*MergedNode `json:"children,omitempty"`
}

// Decision is one recorded merge decision.
type Decision struct {
	Seq           int      `json:"seq"`
	GUID          string   `json:"guid"`
	Kind          string   `json:"kind"`
	Chosen        string   `json:"chosen"`
	Default       string   `json:"default"`
	Reason        string   `json:"reason"`
	Alternatives  []string `json:"alternatives,omitempty"`
	Other         string   `json:"other,omitempty"`
	LocalAge      int64    `json:"localAgeMs"`
	RemoteAge     int64    `json:"remoteAgeMs"`
	LocalChanged  bool     `json:"localChanged"`
	RemoteChanged bool     `json:"remoteChanged"`
	Conflict      bool     `json:"conflict"`
	Overridden    bool     `json:"overridden,omitempty"`
}

// Merge is `bmtui merge --json`.
type Merge struct {
	LocalTime  int64       `json:"localTime"`
	RemoteTime int64       `json:"remoteTime"`
	Merged     *MergedNode `json:"merged"`
	Summary    Summary     `json:"summary"`
	Counts     struct {
		MergedNodes   int `json:"mergedNodes"`
		Dupes         int `json:"dupes"`
		LocalRevives  int `json:"localRevives"`
		RemoteRevives int `json:"remoteRevives"`
		LocalDeletes  int `json:"localDeletes"`
		RemoteDeletes int `json:"remoteDeletes"`
	} `json:"counts"`
	// What changes in Places.
	ApplyLocally struct {
		Values     []GUIDPair `json:"values"`
		Moves      []Move     `json:"moves"`
		GUIDs      []GUIDPair `json:"guidChanges"`
		Deletions  []string   `json:"deletions"`
		Tombstones []string   `json:"tombstones"`
	} `json:"applyLocally"`
	// What goes to the server.
	Upload struct {
		Items      []string `json:"items"`
		Tombstones []string `json:"tombstones"`
	} `json:"upload"`
	Deleted struct {
		Local  []string `json:"local"`
		Remote []string `json:"remote"`
	} `json:"deleted"`
	// Outgoing are the Sync records Firefox would upload after this merge
	// (cleartexts, as staged by the apply), weak uploads included.
	Outgoing  []record.Outgoing `json:"outgoing"`
	Conflicts []Conflict        `json:"conflicts"`
	Decisions []Decision        `json:"decisions"`
	Problems  struct {
		Local  *SideReport `json:"local"`
		Remote *SideReport `json:"remote"`
	} `json:"problems"`
	Notes []string `json:"notes"`
}

// Summary is the headline counts.
type Summary struct {
	Items          int `json:"items"`
	AppliedLocally int `json:"appliedLocally"`
	Uploaded       int `json:"uploaded"`
	DeletedLocally int `json:"deletedLocally"`
	DeletedRemote  int `json:"deletedRemotely"`
	Conflicts      int `json:"conflicts"`
}

// GUIDPair names an item on two sides (remote → merged, local → merged).
type GUIDPair struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Move is a new parent and position.
type Move struct {
	GUID     string `json:"guid"`
	Parent   string `json:"parent"`
	Position int    `json:"position"`
}

// NewMerge renders a merge result.
func NewMerge(res *merge.Result) *Merge {
	out := &Merge{Conflicts: []Conflict{}, Decisions: make([]Decision, 0, len(res.Events))}
	out.Merged = mergedNode(res.Root)
	c := res.Counts
	out.Counts.MergedNodes, out.Counts.Dupes = c.MergedNodes, c.Dupes
	out.Counts.LocalRevives, out.Counts.RemoteRevives = c.LocalRevives, c.RemoteRevives
	out.Counts.LocalDeletes, out.Counts.RemoteDeletes = c.LocalDeletes, c.RemoteDeletes

	ops := res.Ops()
	// Sized once (a first sync has tens of thousands of each); empty
	// lists stay null in JSON, as before.
	if n := len(ops.ApplyRemoteItems); n > 0 {
		out.ApplyLocally.Values = make([]GUIDPair, 0, n)
	}
	if n := len(ops.ApplyNewLocalStructure); n > 0 {
		out.ApplyLocally.Moves = make([]Move, 0, n)
	}
	if n := len(ops.ChangeGUIDs); n > 0 {
		out.ApplyLocally.GUIDs = make([]GUIDPair, 0, n)
	}
	for _, a := range ops.ApplyRemoteItems {
		out.ApplyLocally.Values = append(out.ApplyLocally.Values, GUIDPair{From: a.Remote, To: a.Merged})
	}
	for _, m := range ops.ApplyNewLocalStructure {
		out.ApplyLocally.Moves = append(out.ApplyLocally.Moves, Move{GUID: m.GUID, Parent: m.Parent, Position: m.Position})
	}
	for _, g := range ops.ChangeGUIDs {
		out.ApplyLocally.GUIDs = append(out.ApplyLocally.GUIDs, GUIDPair{From: g.Local, To: g.Merged})
	}
	out.ApplyLocally.Deletions = nonNil(ops.DeleteLocalItems)
	out.ApplyLocally.Tombstones = nonNil(ops.InsertLocalTombstones)
	out.Upload.Items = nonNil(ops.UploadItems)
	out.Upload.Tombstones = nonNil(ops.UploadTombstones)
	out.Deleted.Local = nonNil(res.LocalDeletions)
	out.Deleted.Remote = nonNil(res.RemoteDeletions)

	applied := map[string]bool{}
	for _, a := range ops.ApplyRemoteItems {
		applied[a.Merged] = true
	}
	for _, m := range ops.ApplyNewLocalStructure {
		applied[m.GUID] = true
	}
	for _, g := range ops.ChangeGUIDs {
		applied[g.Merged] = true
	}
	conflicts := 0
	for _, e := range res.Events {
		out.Decisions = append(out.Decisions, decision(e))
		if e.IsConflict {
			conflicts++
		}
	}
	out.Summary = Summary{
		Items:          c.MergedNodes,
		AppliedLocally: len(applied),
		Uploaded:       len(ops.UploadItems) + len(ops.UploadTombstones),
		DeletedLocally: len(ops.DeleteLocalItems),
		DeletedRemote:  len(res.RemoteDeletions),
		Conflicts:      conflicts,
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func decision(e merge.Event) Decision {
	d := Decision{
		Seq: e.Seq, GUID: e.GUID, Kind: e.Kind.String(), Chosen: e.Chosen.String(), Default: e.Default.String(),
		Reason: e.Reason.String(), Other: e.Other, LocalAge: e.LocalAge, RemoteAge: e.RemoteAge,
		LocalChanged: e.LocalChanged, RemoteChanged: e.RemoteChanged, Conflict: e.IsConflict, Overridden: e.Overridden,
	}
	for _, a := range e.Alternatives.List() {
		d.Alternatives = append(d.Alternatives, a.String())
	}
	return d
}

func mergedNode(n *merge.Node) *MergedNode {
	src := n.Local
	if n.State.ShouldApplyItem() || src == nil {
		src = n.Remote
	}
	out := &MergedNode{GUID: n.GUID, State: n.State.String()}
	if src != nil {
		out.Kind = src.Kind.String()
		if src.Info != nil {
			out.Title, out.URL = src.Info.Title, src.Info.URL
		}
	}
	if n.Local != nil && n.Local.GUID != n.GUID {
		out.LocalGUID = n.Local.GUID
	}
	if n.Remote != nil && n.Remote.GUID != n.GUID {
		out.RemoteGUID = n.Remote.GUID
	}
	for _, c := range n.Children {
		out.Children = append(out.Children, mergedNode(c))
	}
	return out
}

// Conflict is a decision the user can see and override.
type Conflict struct {
	ID           string        `json:"id"`
	Kind         string        `json:"kind"`
	GUID         string        `json:"guid"`
	Title        string        `json:"title"`
	Alternatives []Alternative `json:"alternatives"`
	Default      string        `json:"default"`
	Current      string        `json:"current"`
	Decided      bool          `json:"decided"`
	Choosable    bool          `json:"choosable"`
	Reason       string        `json:"reason"`
	Related      []string      `json:"related,omitempty"`
}

// Alternative is one choice of a conflict.
type Alternative struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// NewConflicts converts mergeview's conflict list.
func NewConflicts(cs []mergeview.Conflict) []Conflict {
	out := make([]Conflict, 0, len(cs))
	for _, c := range cs {
		j := Conflict{ID: c.ID, Kind: c.Kind.String(), GUID: c.GUID, Title: c.Title, Default: c.Default, Current: c.Current,
			Decided: c.Decided, Choosable: c.Choosable, Reason: c.Reason, Related: c.Related}
		for _, a := range c.Alternatives {
			j.Alternatives = append(j.Alternatives, Alternative{ID: a.ID, Label: a.Label})
		}
		out = append(out, j)
	}
	return out
}
