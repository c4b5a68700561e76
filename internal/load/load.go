// Package load opens a Firefox profile: it finds the profile's files and
// reads them through their sources (source.Source: places.Source for the
// local tree, mirror.Source for the remote one), giving the trees, problem
// reports and notes the commands and the UI show, and the stamps apply
// checks before it writes. It is the one place that knows where the files
// of a profile are.
package load

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/profiles"
	"github.com/bmtui/bmtui/serverdump"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// ErrNoProfile means no profile was named and none was found.
var ErrNoProfile = errors.New("no Firefox profile given and none found")

const noProfileHint = " (use --profile DIR, or --demo for a sample)"

// Paths says where a profile's databases are.
type Paths struct {
	Dir    string // the profile folder (for lock detection)
	Places string
	Mirror string // "" when the profile never synced
}

// Resolve turns the profile flags into paths, all absolute: each file is
// named one way from here on (apply compares the files it writes with the
// ones read by their paths). With no flag it looks for Firefox's default
// profile under home.
func Resolve(profileDir, placesFile, mirrorFile, home, goos string) (Paths, error) {
	p, err := resolve(profileDir, placesFile, mirrorFile, home, goos)
	if err != nil {
		return p, err
	}
	for _, f := range []*string{&p.Dir, &p.Places, &p.Mirror} {
		if *f == "" {
			continue
		}
		if *f, err = filepath.Abs(*f); err != nil {
			return Paths{}, fmt.Errorf("profile path: %w", err)
		}
	}
	return p, nil
}

func resolve(profileDir, placesFile, mirrorFile, home, goos string) (Paths, error) {
	var p Paths
	switch {
	case placesFile != "":
		p = Paths{Dir: filepath.Dir(placesFile), Places: placesFile, Mirror: mirrorFile}
		return p, nil
	case mirrorFile != "":
		return p, errors.New("--mirror needs --places (or use --profile DIR)")
	case profileDir == "":
		dir, err := profiles.Default(home, goos)
		switch {
		case errors.Is(err, profiles.ErrNoProfile) && err.Error() == profiles.ErrNoProfile.Error():
			return p, fmt.Errorf("%w%s", ErrNoProfile, noProfileHint)
		case errors.Is(err, profiles.ErrNoProfile):
			// Say which profile was found wanting.
			detail := strings.TrimPrefix(err.Error(), profiles.ErrNoProfile.Error()+": ")
			return p, fmt.Errorf("%w: %s%s", ErrNoProfile, detail, noProfileHint)
		case err != nil:
			return p, err
		}
		profileDir = dir
	}
	fi, err := os.Stat(profileDir)
	if err != nil {
		return p, fmt.Errorf("profile folder %s: %w", profileDir, err)
	}
	if !fi.IsDir() {
		return p, fmt.Errorf("profile folder %s is not a folder", profileDir)
	}
	p = Paths{Dir: profileDir, Places: filepath.Join(profileDir, "places.sqlite")}
	if m := filepath.Join(profileDir, "weave", "bookmarks.sqlite"); fileExists(m) {
		p.Mirror = m
	}
	return p, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Profile is a loaded profile: its two sources, what each yielded, and
// notes about the whole.
type Profile struct {
	Paths  Paths
	Clocks tree.Clocks
	// Local is what the Places database yielded; Remote what the mirror
	// yielded, nil when the profile never synced.
	Local, Remote *source.Result
	FirefoxPID    int // non-zero while Firefox holds the profile
	// Dump is the server dump read as the remote side instead of the
	// mirror (OpenWith; Mirror is then nil); nil otherwise. Apply never
	// writes such a profile.
	Dump *serverdump.Source
	// Notes are about the profile (Firefox running, no mirror), followed
	// by each source's notes.
	Notes []string

	// The two sources, open until Close. They keep what apply needs to
	// refuse a stale write: each file's stamp (identity and fingerprint
	// when read) and the mirror's rows to flag for reupload.
	Places *places.Source
	Mirror *mirror.Source // nil without a mirror

	// Case is the bundle the profile was read from (OpenCase), nil for a
	// profile: a case is never written to.
	Case *bundle.Case
}

// Open reads both databases (from snapshots; the profile is never
// written) through their sources. The two sides are read concurrently: the
// SQLite reads dominate and each side has its own file.
func Open(paths Paths, clocks tree.Clocks) (*Profile, error) {
	return OpenWith(paths, clocks, nil)
}

// OpenWith is Open with the remote side read from a server dump instead of
// the mirror when dump is not nil.
func OpenWith(paths Paths, clocks tree.Clocks, dump *Dump) (*Profile, error) {
	p := &Profile{Paths: paths, Clocks: clocks}
	if running, pid, _ := places.FirefoxRunning(paths.Dir); running {
		p.FirefoxPID = pid
		p.Notes = append(p.Notes, fmt.Sprintf("Firefox is running (pid %d): showing a snapshot", pid))
	}
	var g errgroup.Group
	g.Go(func() (err error) {
		if p.Places, err = places.OpenSource(paths.Places); err != nil {
			return err
		}
		p.Local, err = p.Places.Load(clocks.Local)
		return err
	})
	if dump != nil {
		g.Go(func() (err error) {
			p.Dump, p.Remote, err = openDump(paths, clocks, dump)
			return err
		})
	} else if paths.Mirror != "" {
		g.Go(func() (err error) {
			if p.Mirror, err = mirror.OpenSource(paths.Mirror); err != nil {
				return err
			}
			p.Remote, err = p.Mirror.Load(clocks.Remote)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		p.Close()
		return nil, err
	}
	p.Notes = append(p.Notes, p.Local.Notes...)
	if p.Remote == nil {
		p.Notes = append(p.Notes, "no Sync mirror (weave/bookmarks.sqlite): this profile never synced; showing Local only")
		return p, nil
	}
	p.Notes = append(p.Notes, p.Remote.Notes...)
	return p, nil
}

// Damage waits for the structural checks of both files, started when they
// were opened, and returns what they found in each: nil when sound.
func (p *Profile) Damage() (local, remote []dbcheck.Damage, err error) {
	var lerr, rerr error
	if p.Places != nil {
		local, lerr = p.Places.Damage()
	}
	if p.Mirror != nil {
		remote, rerr = p.Mirror.Damage()
	}
	return local, remote, errors.Join(lerr, rerr)
}

// Rebuild reads one side's tree again with the user's choice of parent for
// items several folders claim (mergeview.RebuildFunc's shape).
func (p *Profile) Rebuild(side tree.Side, prefer map[string]string) (*tree.Tree, error) {
	var r *source.Result
	var err error
	switch {
	case side == tree.Local:
		r, err = p.Places.LoadPreferring(p.Clocks.Local, prefer)
	case p.Dump != nil:
		r, err = p.Dump.LoadPreferring(p.Clocks.Remote, prefer)
	case p.Mirror == nil:
		return nil, errors.New("no Sync mirror")
	default:
		r, err = p.Mirror.LoadPreferring(p.Clocks.Remote, prefer)
	}
	if err != nil {
		return nil, err
	}
	return r.Tree, nil
}

// MergeErr says why the two trees cannot be merged (no mirror, a tree
// error), or nil.
func (p *Profile) MergeErr() error {
	switch {
	case p.Remote == nil:
		return fmt.Errorf("profile %s has no Sync mirror (weave/bookmarks.sqlite): nothing to merge", p.Paths.Dir)
	case p.Local.TreeErr != nil:
		return fmt.Errorf("cannot merge: local tree: %w", p.Local.TreeErr)
	case p.Remote.TreeErr != nil:
		return fmt.Errorf("cannot merge: remote tree: %w", p.Remote.TreeErr)
	}
	return nil
}

// StandardLayout reports whether the databases sit where Firefox keeps
// them (places.sqlite and weave/bookmarks.sqlite in the profile folder),
// which is what apply writes to.
func (p *Profile) StandardLayout() bool { return p.Paths.Standard() }

// Standard reports whether the paths are a whole profile: the folder's
// places.sqlite and weave/bookmarks.sqlite.
func (p Paths) Standard() bool {
	abs := func(s string) string {
		a, _ := filepath.Abs(s)
		return a
	}
	return p.Mirror != "" &&
		abs(p.Places) == abs(filepath.Join(p.Dir, "places.sqlite")) &&
		abs(p.Mirror) == abs(filepath.Join(p.Dir, "weave", "bookmarks.sqlite"))
}

// ProblemCount is the number of findings on both sides.
func (p *Profile) ProblemCount() int {
	n := len(p.Local.Report.Findings)
	if p.Remote != nil {
		n += len(p.Remote.Report.Findings)
	}
	return n
}

// Close releases the snapshots. It may be called more than once.
func (p *Profile) Close() error {
	var errs []error
	if p.Places != nil {
		errs = append(errs, p.Places.Close())
	}
	if p.Mirror != nil {
		errs = append(errs, p.Mirror.Close())
	}
	if p.Case != nil {
		errs = append(errs, p.Case.Close())
	}
	return errors.Join(errs...)
}
