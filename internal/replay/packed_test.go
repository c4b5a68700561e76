package replay_test

import (
	"reflect"
	"testing"

	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

// A packed side builds the very tree its side builds.
func TestPackedBuildsTheSameTree(t *testing.T) {
	in, err := replay.Load(testutil.Shared(t, "fixtures", "bench", "synthetic_10k.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	sides := map[string]*replay.Side{"bench local": in.Local, "bench remote": in.Remote, "small": smallSide()}
	for name, side := range sides {
		t.Run(name, func(t *testing.T) {
			want, err := side.Build()
			if err != nil {
				t.Fatal(err)
			}
			p, err := replay.Pack(side)
			if err != nil {
				t.Fatal(err)
			}
			if p.Items() != len(side.Items) {
				t.Errorf("Items() = %d, want %d", p.Items(), len(side.Items))
			}
			got, err := p.Build()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Error("the packed side's tree differs from the side's")
			}
		})
	}
}

// smallSide has what the bench fixtures lack or have little of: info, an
// invalid GUID, a duplicate item, every kind of parent record, tombstones.
func smallSide() *replay.Side {
	folder := &tree.Content{Kind: tree.ContentFolder, Title: "F"}
	return &replay.Side{
		Root:     tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder},
		Fallback: tree.UnfiledGUID,
		Items: []tree.Item{
			{GUID: tree.MenuGUID, Kind: tree.KindFolder},
			{GUID: tree.UnfiledGUID, Kind: tree.KindFolder},
			{GUID: "folderAAAAAA", Kind: tree.KindFolder, Age: 5, Content: folder, Info: &tree.Info{Title: "F", DateAdded: 7}},
			{GUID: "bookmarkBBBB", Kind: tree.KindBookmark, NeedsMerge: true, Validity: tree.Reupload,
				Content: &tree.Content{Kind: tree.ContentBookmark, Title: "B", URL: "https://b.example/"}},
			{GUID: "bookmarkBBBB", Kind: tree.KindBookmark, Age: 9},
			{GUID: "bad guid", Kind: tree.KindSeparator, Validity: tree.Replace},
			{GUID: "orphanEEEEEE", Kind: tree.KindBookmark},
		},
		Parents: []replay.Parent{
			{Child: tree.MenuGUID, Parent: tree.RootGUID, By: replay.ByChildren},
			{Child: tree.UnfiledGUID, Parent: tree.RootGUID, By: replay.ByChildren},
			{Child: "folderAAAAAA", Parent: tree.MenuGUID, By: replay.ByChildren},
			{Child: "bookmarkBBBB", Parent: "folderAAAAAA", By: replay.ByParentGUID},
			{Child: "bad guid", Parent: tree.UnfiledGUID, By: replay.ByStructure},
			{Child: "orphanEEEEEE", Parent: "nowhereCCCCC", By: replay.ByParentGUID},
		},
		Tombstones: []string{"goneDDDDDDDD", "folderAAAAAA"},
	}
}

// A packed side written as bytes and read back, or unpacked into a Side,
// still builds the side's tree; damaged bytes are an error, not a panic.
func TestPackedBytesAndSide(t *testing.T) {
	in, err := replay.Load(testutil.Shared(t, "fixtures", "bench", "synthetic_10k.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	small := smallSide()
	for i := range small.Items {
		small.Items[i].Info = nil // packed bytes do not keep info
	}
	for name, side := range map[string]*replay.Side{"bench remote": in.Remote, "small": small} {
		t.Run(name, func(t *testing.T) {
			want, err := side.Build()
			if err != nil {
				t.Fatal(err)
			}
			p, err := replay.Pack(side)
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			back, rest, err := replay.UnpackBinary(append(b, "next"...))
			if err != nil || string(rest) != "next" {
				t.Fatalf("read back: %v, %q left", err, rest)
			}
			got, err := back.Build()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("read back: the tree differs from the side's (%v)", err)
			}
			got, err = p.Side().Build()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("unpacked: the tree differs from the side's (%v)", err)
			}
			step := max(1, len(b)/500)
			for n := 0; n < len(b); n += step {
				if _, _, err := replay.UnpackBinary(b[:n]); err == nil {
					t.Fatalf("the first %d of %d bytes read as a whole side", n, len(b))
				}
			}
		})
	}
	withInfo, err := replay.Pack(smallSide())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withInfo.MarshalBinary(); err == nil {
		t.Error("a side with info was written as bytes, which lose it")
	}
}

// TestByNamesRoundTrip: every parent record kind is written under the
// name it is read from.
func TestByNamesRoundTrip(t *testing.T) {
	for _, by := range []replay.By{replay.ByChildren, replay.ByParentGUID, replay.ByStructure} {
		back, err := replay.ParseBy(by.String())
		if err != nil || back != by {
			t.Errorf("%v: read back as %v (%v)", by, back, err)
		}
	}
}
