package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/salvage/salvaged"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
)

// sourcesDir is the profile folder the flags name, for the commands that
// read every source of a profile (timeline, --left/--right, find,
// restore): --profile, the folder of --places, a --demo copy, or
// Firefox's default profile. cleanup removes a demo profile.
func (p *profileFlags) sourcesDir() (dir string, cleanup func(), err error) {
	if p.demo && (p.profile != "" || p.places != "" || p.mirror != "") {
		return "", nil, usageError{"--demo cannot be combined with --profile, --places or --mirror"}
	}
	cleanup = func() {}
	dir = p.profile
	if p.demo {
		tmp, err := os.MkdirTemp("", "bmtui-demo-")
		if err != nil {
			return "", nil, fmt.Errorf("create demo folder: %w", err)
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if dir, err = demo.Create(tmp, time.Now()); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("create demo profile: %w", err)
		}
	}
	home, _ := os.UserHomeDir()
	paths, err := load.Resolve(dir, p.places, p.mirror, home, runtime.GOOS)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return paths.Dir, cleanup, nil
}

// loadedSource is one source of a profile as read: its entry, what it
// yielded (nil if it failed) and why it failed.
type loadedSource struct {
	Entry  source.Entry
	Result *source.Result
	Err    error
}

// Time is the moment the source describes: its result's when read (the
// mirror's last sync), else its entry's.
func (s loadedSource) Time() time.Time {
	if s.Result != nil && !s.Result.Provenance.At.IsZero() {
		return s.Result.Provenance.At
	}
	return s.Entry.Time
}

// loadSources lists and reads every source of the profile in dir, oldest
// first. One that fails is kept with its error; it is an error only that
// none loads.
func loadSources(ctx context.Context, dir string) ([]loadedSource, error) {
	entries, err := catalog.List(dir, salvaged.WhenDamaged)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("profile %s has no bookmarks to read (no places.sqlite, mirror or backups)", dir)
	}
	isPlaces := func(e source.Entry) bool { return e.ID == catalog.IDPlaces }
	out, damage, err := loadEntries(ctx, entries, isPlaces)
	if err != nil {
		return nil, err
	}
	// A places.sqlite whose header is sound but which did not load, or
	// whose structural check found damage, has its salvaged tree listed
	// too (salvaged.WhenDamaged saw the other troubles before reading).
	if !hasEntry(entries, salvaged.ID) {
		for i, s := range out {
			if !isPlaces(s.Entry) {
				continue
			}
			if more := salvaged.WhenPlacesDamaged(dir, s.Err, damage[i]); len(more) > 0 {
				extra, _, err := loadEntries(ctx, more, nil)
				if err != nil {
					return nil, err
				}
				out = append(out, extra...)
			}
		}
	}
	ok := 0
	for _, s := range out {
		if s.Result != nil {
			ok++
		}
	}
	if ok == 0 {
		var errs []string
		for _, s := range out {
			errs = append(errs, s.Err.Error())
		}
		return nil, errors.New("no source of the profile could be read: " + strings.Join(errs, "; "))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time().Before(out[j].Time()) })
	return out, nil
}

// loadEntries reads entries, waiting for the structural check of those
// check picks (see catalog.LoadAllChecking); one that fails is kept with
// its error.
func loadEntries(ctx context.Context, entries []source.Entry, check func(source.Entry) bool) ([]loadedSource, [][]dbcheck.Damage, error) {
	results, damage, err := catalog.LoadAllChecking(ctx, entries, check)
	var failures *catalog.LoadErrors
	if err != nil && !errors.As(err, &failures) {
		return nil, nil, err
	}
	out := make([]loadedSource, len(entries))
	for i, e := range entries {
		out[i] = loadedSource{Entry: e, Result: results[i]}
		if failures != nil && failures.Errs[i] != nil {
			out[i].Err = failures.Errs[i]
		}
	}
	return out, damage, nil
}

// salvagedLister offers the salvaged tree among a profile's sources when
// the user names it, or when Places is visibly in trouble; otherwise a
// healthy profile's list does not offer a rebuild of itself.
func salvagedLister(spec string) catalog.Lister {
	if spec == salvaged.ID {
		return salvaged.Always
	}
	return salvaged.WhenDamaged
}
