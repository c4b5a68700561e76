package apply

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Plan is what an apply needs: the merge result and the state of both files
// it was computed from. PlanFor makes it from a loaded profile.
type Plan struct {
	ProfileDir string
	Times      tree.Clocks // Local is also the apply's "now"
	Result     *merge.Result

	PlacesFile, MirrorFile dbsnap.FileID
	Places                 places.Fingerprint
	Mirror                 mirror.Fingerprint
	// Reupload are the mirror rows Firefox's prepare() flags REUPLOAD
	// before merging (mirror.DB.Reupload); the apply writes the flag.
	Reupload []string

	// snapshotDamage are the structural checks of the snapshots the
	// plan was read from (the sources' Damage), places.sqlite's then the
	// mirror's; nil when the plan was not made from open sources.
	snapshotDamage [2]func() ([]dbcheck.Damage, error)

	cachedOps *merge.Ops
}

// ops are the merge's completion ops (merge.Result.Ops), computed once:
// the apply and its verification both need them.
func (p *Plan) ops() merge.Ops {
	if p.cachedOps == nil {
		ops := p.Result.Ops()
		p.cachedOps = &ops
	}
	return *p.cachedOps
}

// Local and Remote are the merged trees.
func (p *Plan) Local() *tree.Tree  { return p.Result.Local() }
func (p *Plan) Remote() *tree.Tree { return p.Result.Remote() }

// Paths of a profile's databases.
func placesPath(dir string) string { return filepath.Join(dir, places.FileName) }
func mirrorPath(dir string) string { return filepath.Join(dir, "weave", "bookmarks.sqlite") }

// ErrNoMirror means the profile has no Sync mirror: it never synced, so
// there is nothing to apply.
var ErrNoMirror = errors.New("no Sync mirror (weave/bookmarks.sqlite): this profile never synced")

// PlanInput is what a plan is made of: the merge, the clocks it was made
// with, and what both files were when they were read (their stamps, taken
// before reading), so that Apply can refuse files that changed since.
type PlanInput struct {
	ProfileDir string
	Clocks     tree.Clocks
	Result     *merge.Result
	Places     places.Stamp
	Mirror     mirror.Stamp
	// Reupload are the mirror rows to flag REUPLOAD (mirror.Source.Reupload).
	Reupload []string
}

// NewPlan makes a plan.
func NewPlan(in PlanInput) *Plan {
	return &Plan{ProfileDir: in.ProfileDir, Times: in.Clocks, Result: in.Result,
		PlacesFile: in.Places.File, MirrorFile: in.Mirror.File, Places: in.Places.Print, Mirror: in.Mirror.Print,
		Reupload: slices.Clone(in.Reupload)}
}

// PlanFor makes the plan that writes res, a merge of p's two trees, into
// p: the one road from a profile to an apply (load.Open, merge, PlanFor,
// Apply).
func PlanFor(p *load.Profile, res *merge.Result) (*Plan, error) {
	if p.Mirror == nil {
		return nil, fmt.Errorf("%s: %w", p.Paths.Dir, ErrNoMirror)
	}
	plan := NewPlan(PlanInput{
		ProfileDir: p.Paths.Dir, Clocks: p.Clocks, Result: res,
		Places: p.Places.Stamp(), Mirror: p.Mirror.Stamp(), Reupload: p.Mirror.Reupload(),
	})
	// Each snapshot is a copy of its file as the stamp says, checked in
	// the background while the trees were merged: Apply takes a check
	// that ran to the end (p still open, or closed after it ended) for
	// the file's own while the file keeps that stamp.
	plan.snapshotDamage = [2]func() ([]dbcheck.Damage, error){p.Places.Damage, p.Mirror.Damage}
	return plan, nil
}
