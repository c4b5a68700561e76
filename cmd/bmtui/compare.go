package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/salvage/salvaged"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/ui"
)

// compareFlags adds --left and --right to the explorer's commands.
func compareFlags(c *cobra.Command, o *exploreOptions) {
	c.Flags().StringVar(&o.left, "left", "", "compare: show `SOURCE` in the left pane (places, mirror, corrupt, backup:DATE, bmtui:NAME, or a file)")
	c.Flags().StringVar(&o.right, "right", "", "compare: show `SOURCE` in the right pane (default places)")
}

// runExplore runs the explorer: a profile's two trees, or with --left or
// --right two of its sources compared.
func runExplore(ctx context.Context, o *exploreOptions, io stdio) error {
	if o.left == "" && o.right == "" {
		return runApp(ctx, &o.profile, appOptions{theme: o.theme}, io)
	}
	in, cleanup, err := compareInput(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	model := ui.NewApp(in, ui.Options{Theme: o.theme, NoColor: os.Getenv("NO_COLOR") != ""})
	_, err = ui.Run(ctx, model)
	return err
}

// compareInput reads the two sources --left and --right name (a missing
// one is places) and lists the profile's others for the picker.
func compareInput(ctx context.Context, o *exploreOptions) (ui.AppInput, func(), error) {
	dir, cleanup, err := o.profile.sourcesDir()
	if err != nil {
		return ui.AppInput{}, nil, err
	}
	entries, err := catalog.List(dir, salvaged.WhenDamaged)
	if err != nil {
		cleanup()
		return ui.AppInput{}, nil, err
	}
	specs := [2]string{o.left, o.right}
	var picked []source.Entry
	for i, spec := range specs {
		if spec == "" {
			spec = catalog.IDPlaces
		}
		e, err := catalog.Find(dir, spec, salvagedLister(spec))
		if err != nil {
			cleanup()
			return ui.AppInput{}, nil, fmt.Errorf("--%s: %w", [2]string{"left", "right"}[i], err)
		}
		if !hasEntry(entries, e.ID) {
			entries = append(entries, e) // a file named: the picker offers it too
		}
		picked = append(picked, e)
	}
	rs, err := catalog.LoadAll(ctx, picked)
	if err != nil {
		cleanup()
		var le *catalog.LoadErrors
		if errors.As(err, &le) {
			for i, e := range le.Errs {
				if e != nil {
					return ui.AppInput{}, nil, fmt.Errorf("--%s: %w", [2]string{"left", "right"}[i], e)
				}
			}
		}
		return ui.AppInput{}, nil, err
	}
	left, right := rs[0], rs[1]
	in := ui.SourcesInput(dir, left, right)
	in.MergeErr = errors.New("comparing two sources: no merge")
	in.Compare = catalogSources(ctx, entries)
	in.Compare.Left, in.Compare.Right = picked[0].ID, picked[1].ID
	in.Compare.LeftLabel, in.Compare.RightLabel = left.Provenance.Label, right.Provenance.Label
	for _, r := range rs {
		in.Notes = append(in.Notes, r.Notes...)
	}
	return in, cleanup, nil
}

func hasEntry(es []source.Entry, id string) bool {
	for _, e := range es {
		if e.ID == id {
			return true
		}
	}
	return false
}

// profileSources offers the explorer of a whole profile its other
// sources (s, T): the picker opens once there are more than its two
// databases, which damage found after opening may add (the salvaged
// tree).
func profileSources(ctx context.Context, dir string) *ui.CompareInput {
	entries, err := catalog.List(dir, salvaged.WhenDamaged)
	if err != nil {
		return nil
	}
	c := catalogSources(ctx, entries)
	c.Damaged = func(local []dbcheck.Damage) []source.Entry {
		return salvaged.WhenPlacesDamaged(dir, nil, local)
	}
	return c
}

// catalogSources reads the sources listed for the picker and timeline.
func catalogSources(ctx context.Context, entries []source.Entry) *ui.CompareInput {
	return &ui.CompareInput{
		Sources: entries,
		Load:    func(e source.Entry) (*source.Result, error) { return catalog.Load(e, time.Now()) },
		LoadAll: func(es []source.Entry) ([]*source.Result, error) { return catalog.LoadAll(ctx, es) },
	}
}
