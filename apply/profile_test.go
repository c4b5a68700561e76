package apply

import (
	"context"
	"fmt"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// preparePlan takes the road users take from a profile to a plan: finish
// an interrupted apply (as the commands do before opening), open the
// profile (load.Open), merge its two trees and make the plan (PlanFor).
func preparePlan(ctx context.Context, dir string, clocks tree.Clocks, opts merge.Options) (*Plan, error) {
	if _, err := Recover(dir); err != nil {
		return nil, err
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		return nil, err
	}
	p, err := load.Open(paths, clocks)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if p.Remote == nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoMirror)
	}
	if err := p.MergeErr(); err != nil {
		return nil, err
	}
	res, err := merge.Merge(ctx, p.Local.Tree, p.Remote.Tree, opts)
	if err != nil {
		return nil, err
	}
	return PlanFor(p, res)
}
