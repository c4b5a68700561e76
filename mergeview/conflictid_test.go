package mergeview

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

func TestConflictIDRoundTrip(t *testing.T) {
	for _, c := range []struct {
		id   ConflictID
		text string
	}{
		{ConflictID{Kind: ConflictValue, GUID: "bmkHn_______"}, "value:bmkHn_______"},
		{ConflictID{Kind: ConflictStructure, GUID: "bmkHn_______"}, "structure:bmkHn_______"},
		{ConflictID{Kind: ConflictChildOrder, GUID: "menu________"}, "order:menu________"},
		{ConflictID{Kind: ConflictDeletion, GUID: "fldArchive__"}, "deletion:fldArchive__"},
		{ConflictID{Kind: ConflictDedupe, GUID: "bookmarkAAA1", Partner: "bookmarkAAAA"}, "dedupe:bookmarkAAA1|bookmarkAAAA"},
		{ConflictID{Kind: ConflictRelocated, GUID: "bookmarkFFFF"}, "relocated:bookmarkFFFF"},
		{ConflictID{Kind: ConflictParent, GUID: "bookmarkAAAA", Side: tree.Local}, "parent:local:bookmarkAAAA"},
		{ConflictID{Kind: ConflictParent, GUID: "bookmarkAAAA", Side: tree.Remote}, "parent:remote:bookmarkAAAA"},
		// Invalid GUIDs are kept whole.
		{ConflictID{Kind: ConflictValue, GUID: "bad!:x|y"}, "value:bad!:x|y"},
		{ConflictID{Kind: ConflictParent, GUID: "a:b", Side: tree.Remote}, "parent:remote:a:b"},
		{ConflictID{Kind: ConflictDedupe, GUID: "l", Partner: "r|s"}, "dedupe:l|r|s"},
	} {
		if got := c.id.String(); got != c.text {
			t.Errorf("%+v: String %q, want %q", c.id, got, c.text)
		}
		got, err := ParseConflictID(c.text)
		if err != nil || got != c.id {
			t.Errorf("ParseConflictID(%q) = %+v, %v; want %+v", c.text, got, err, c.id)
		}
	}
}

func TestConflictIDRejects(t *testing.T) {
	for _, s := range []string{
		"", "value", "value:", "nope:bmkHn_______", "Value:bmkHn_______", ":bmkHn_______",
		"dedupe:bookmarkAAA1", "dedupe:|bookmarkAAAA", "dedupe:bookmarkAAA1|",
		"parent:bookmarkAAAA", "parent:none:bookmarkAAAA", "parent:local:", "parent:Local:x",
	} {
		if id, err := ParseConflictID(s); !errors.Is(err, ErrUnknownConflict) {
			t.Errorf("ParseConflictID(%q) = %+v, %v; want ErrUnknownConflict", s, id, err)
		}
	}
	for _, id := range []ConflictID{
		{}, {Kind: ConflictValue}, {Kind: ConflictKind(99), GUID: "x"},
		{Kind: ConflictDedupe, GUID: "x"}, {Kind: ConflictValue, GUID: "x", Partner: "y"},
		{Kind: ConflictParent, GUID: "x"}, {Kind: ConflictValue, GUID: "x", Side: tree.Local},
	} {
		if s := id.String(); s != "" {
			t.Errorf("%+v names no conflict but reads %q", id, s)
		}
	}
}

func FuzzConflictID(f *testing.F) {
	for _, s := range []string{"value:bmkHn_______", "dedupe:a|b", "parent:local:x", "parent:remote:a:b", "order:", "relocated:x|y"} {
		f.Add(s, "guid", "partner", uint8(ConflictDedupe), uint8(tree.Local))
	}
	f.Fuzz(func(t *testing.T, text, guid, partner string, kind, side uint8) {
		// Text: whatever parses prints back as it was.
		if id, err := ParseConflictID(text); err == nil {
			if got := id.String(); got != text {
				t.Fatalf("ParseConflictID(%q).String() = %q", text, got)
			}
		}
		// IDs: whatever names a conflict reads back as itself (a dedupe's
		// local GUID holding "|" is the one ambiguity, documented).
		id := ConflictID{Kind: ConflictKind(kind), GUID: guid, Partner: partner, Side: tree.Side(side)}
		s := id.String()
		if s == "" || (id.Kind == ConflictDedupe && strings.Contains(guid, "|")) {
			return
		}
		back, err := ParseConflictID(s)
		if err != nil || back != id {
			t.Fatalf("%+v reads %q, parsed as %+v, %v", id, s, back, err)
		}
	})
}

// A session saved before the typed ID still loads, and its resolutions
// turn into the same overrides and back into the same text.
func TestSessionIDsUnchanged(t *testing.T) {
	ov, pc, err := overridesOf([]Resolution{
		{Conflict: "value:bmkHn_______", Choice: "local"},
		{Conflict: "structure:bmkMdn______", Choice: "remote"},
		{Conflict: "deletion:fldArchive__", Choice: "keep"},
		{Conflict: "relocated:bookmarkFFFF", Choice: "restore:folderBBBBBB"},
		{Conflict: "relocated:bookmarkGGGG", Choice: "stay"},
		{Conflict: "dedupe:bookmarkAAA1|bookmarkAAAA", Choice: "separate"},
		{Conflict: "parent:local:bookmarkAAAA", Choice: "folderAAAAAA"},
		{Conflict: "parent:remote:bookmarkBBBB", Choice: "folderBBBBBB"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ov.Value["bmkHn_______"] != tree.Local || ov.Structure["bmkMdn______"] != tree.Remote ||
		ov.Deletion["fldArchive__"] != merge.ResolveKeep || ov.Deletion["folderBBBBBB"] != merge.ResolveKeep ||
		len(ov.Deletion) != 2 || !ov.RefuseDedupe[merge.DedupePair{Local: "bookmarkAAA1", Remote: "bookmarkAAAA"}] ||
		pc.Local["bookmarkAAAA"] != "folderAAAAAA" || pc.Remote["bookmarkBBBB"] != "folderBBBBBB" {
		t.Fatalf("overrides %+v, parents %+v", ov, pc)
	}
	var ids []string
	for _, r := range initialResolutions(ov, pc) {
		ids = append(ids, r.Conflict+"="+r.Choice)
	}
	want := "value:bmkHn_______=local structure:bmkMdn______=remote deletion:fldArchive__=keep deletion:folderBBBBBB=keep " +
		"dedupe:bookmarkAAA1|bookmarkAAAA=separate parent:local:bookmarkAAAA=folderAAAAAA parent:remote:bookmarkBBBB=folderBBBBBB"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("resolutions\n got %s\nwant %s", got, want)
	}

	// A session file as written before, read and written again byte for
	// byte (resolutions are kept as they were read).
	in := newView(t, dogearInput(t, "value_structure_conflict"))
	id, alt := firstChoosable(t, in)
	var saved bytes.Buffer
	if err := choose(t, in, id, alt).Save(&saved); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSession(bytes.NewReader(saved.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	v, err := in.Replay(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := v.Save(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved.Bytes(), again.Bytes()) {
		t.Errorf("session changed on a round trip:\n%s\n%s", saved.Bytes(), again.Bytes())
	}
}

func firstChoosable(t *testing.T, v *View) (string, string) {
	t.Helper()
	for _, c := range v.Conflicts() {
		if c.Choosable {
			for _, a := range c.Alternatives {
				if a.ID != c.Current {
					return c.ID, a.ID
				}
			}
		}
	}
	t.Fatal("no choosable conflict")
	return "", ""
}
