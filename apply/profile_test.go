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
// The profile is closed before it returns; preparePlanOpen leaves it
// open, as the commands do until their apply ends.
func preparePlan(ctx context.Context, dir string, clocks tree.Clocks, opts merge.Options) (*Plan, error) {
	plan, closeProfile, err := preparePlanOpen(ctx, dir, clocks, opts)
	if err != nil {
		return nil, err
	}
	closeProfile()
	return plan, nil
}

// preparePlanOpen is preparePlan with the profile left open until
// closeProfile is called.
func preparePlanOpen(ctx context.Context, dir string, clocks tree.Clocks, opts merge.Options) (plan *Plan, closeProfile func(), err error) {
	if _, err := Recover(dir); err != nil {
		return nil, nil, err
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		return nil, nil, err
	}
	p, err := load.Open(paths, clocks)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	if p.Remote == nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, ErrNoMirror)
	}
	if err := p.MergeErr(); err != nil {
		return nil, nil, err
	}
	res, err := merge.Merge(ctx, p.Local.Tree, p.Remote.Tree, opts)
	if err != nil {
		return nil, nil, err
	}
	if plan, err = PlanFor(p, res); err != nil {
		return nil, nil, err
	}
	return plan, func() { p.Close() }, nil
}
