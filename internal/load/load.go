// Package load opens a profile's two databases and turns them into the
// trees and problem reports the commands and the UI show. It is the one
// place that knows where the files of a profile are.
package load

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/profiles"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
	"golang.org/x/sync/errgroup"
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

// Resolve turns the profile flags into paths. With no flag it looks for
// Firefox's default profile under home.
func Resolve(profileDir, placesFile, mirrorFile, home, goos string) (Paths, error) {
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

// Times are the two clocks ages are measured against: the local clock
// for Places and the server's clock for the mirror.
type Times struct {
	Local, Remote time.Time
}

// NowMillis converts a clock reading the way Firefox hands it to the
// merger: whole seconds, then milliseconds.
func NowMillis(t time.Time) int64 { return t.Unix() * 1000 }

// Profile is a loaded profile: both trees and what is wrong with them.
type Profile struct {
	Paths        Paths
	Times        Times
	Local        *tree.Tree
	Remote       *tree.Tree // nil without a mirror
	LocalReport  check.Report
	RemoteReport check.Report
	// LocalErr and RemoteErr hold tree errors (a cycle) that leave a
	// viewable tree but make a merge impossible.
	LocalErr, RemoteErr error
	FirefoxPID          int // non-zero while Firefox holds the profile
	Notes               []string

	// What the files were when read, so an apply can refuse if they
	// changed since the preview the user approved.
	placesID, mirrorID apply.FileID
	placesPrint        apply.PlacesFingerprint
	mirrorPrint        apply.MirrorFingerprint

	Places *places.DB
	Mirror *mirror.DB
}

// Open reads both databases (from snapshots; the profile is never
// written) and builds both trees. The two sides are read concurrently: the
// SQLite reads dominate and each side has its own file.
func Open(paths Paths, times Times) (*Profile, error) {
	p := &Profile{Paths: paths, Times: times}
	if running, pid, _ := places.FirefoxRunning(paths.Dir); running {
		p.FirefoxPID = pid
		p.Notes = append(p.Notes, fmt.Sprintf("Firefox is running (pid %d): showing a snapshot", pid))
	}
	var g errgroup.Group
	g.Go(func() error {
		p.placesID, _ = apply.StatFile(paths.Places, "-wal") // before the copy: a later change must show
		db, err := places.Open(paths.Places)
		if err != nil {
			return err
		}
		p.Places = db
		if p.placesPrint, err = apply.ReadPlacesFingerprint(db.SQL(), "main"); err != nil {
			return readErr(places.What, paths.Places, "read", err, db.Damage)
		}
		p.Local, p.LocalErr = db.ReadTree(NowMillis(times.Local))
		if p.Local == nil {
			return readErr(places.What, paths.Places, "read local tree from", p.LocalErr, db.Damage)
		}
		p.LocalReport = check.Tree(check.Local, p.Local)
		db.StartCheck() // now: it would slow the reading down
		return nil
	})
	if paths.Mirror != "" {
		g.Go(func() error {
			p.mirrorID, _ = apply.StatFile(paths.Mirror, "-journal")
			m, err := mirror.Open(paths.Mirror)
			if err != nil {
				return err
			}
			p.Mirror = m
			if p.mirrorPrint, err = apply.ReadMirrorFingerprint(m.SQL(), "main"); err != nil {
				return readErr(mirror.What, paths.Mirror, "read", err, m.Damage)
			}
			p.Remote, p.RemoteErr = m.ReadTree(NowMillis(times.Remote))
			if p.Remote == nil {
				return readErr(mirror.What, paths.Mirror, "read remote tree from", p.RemoteErr, m.Damage)
			}
			p.RemoteReport = check.Tree(check.Remote, p.Remote)
			m.StartCheck()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		p.Close()
		return nil, err
	}
	p.Notes = append(p.Notes, p.Places.Warnings()...)
	for _, s := range p.Places.Skipped() {
		p.Notes = append(p.Notes, "skipped Places row: "+s.String())
	}
	if p.Mirror == nil {
		p.Notes = append(p.Notes, "no Sync mirror (weave/bookmarks.sqlite): this profile never synced; showing Local only")
		return p, nil
	}
	p.Notes = append(p.Notes, p.Mirror.Warnings()...)
	for _, s := range p.Mirror.Skipped() {
		p.Notes = append(p.Notes, "skipped mirror record: "+s.String())
	}
	return p, nil
}

// readErr is the one line for a read that failed: on a damaged file it
// says so and where (waiting for the structural check), else doing says
// what failed.
func readErr(what, path, doing string, err error, damage func() ([]dbcheck.Damage, error)) error {
	if !dbcheck.IsCorrupt(err) {
		return fmt.Errorf("%s %s: %w", doing, path, err)
	}
	ds, _ := damage()
	return places.DamageError(what, path, err, ds)
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
// items several folders claim (mergeview.RebuildFunc's shape: side 0 is
// local, anything else remote).
func (p *Profile) Rebuild(remote bool, prefer map[string]string) (*tree.Tree, error) {
	if !remote {
		t, err := p.Places.ReadTreeWith(NowMillis(p.Times.Local), prefer)
		if t == nil {
			return nil, err
		}
		return t, nil
	}
	if p.Mirror == nil {
		return nil, errors.New("no Sync mirror")
	}
	t, err := p.Mirror.ReadTreeWith(NowMillis(p.Times.Remote), prefer)
	if t == nil {
		return nil, err
	}
	return t, nil
}

// Plan turns a merge of this profile into what apply needs, including
// what the files were when they were read.
func (p *Profile) Plan(res *merge.Result) *apply.Plan {
	var reupload []string
	if p.Mirror != nil {
		reupload = p.Mirror.Reupload()
	}
	return apply.NewPlan(p.Paths.Dir, apply.Times{Local: p.Times.Local, Remote: p.Times.Remote}, res,
		p.placesID, p.mirrorID, p.placesPrint, p.mirrorPrint, reupload)
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

// OutgoingPreview lists the records Firefox would upload after this merge,
// by applying it to scratch copies of the snapshots that were read.
func (p *Profile) OutgoingPreview(ctx context.Context, res *merge.Result) ([]apply.OutgoingRecord, error) {
	if p.Mirror == nil {
		return nil, errors.New("no Sync mirror")
	}
	// The dry run would refuse the scratch copies, naming them instead.
	if local, remote, _ := p.Damage(); len(local)+len(remote) > 0 {
		return nil, errors.New(dbcheck.Summary(append(local, remote...)) + "; see bmtui validate")
	}
	rep, err := apply.DryRun(ctx, p.Plan(res), p.Places.Snapshot().Path, p.Mirror.Snapshot().Path)
	if err != nil {
		return nil, err
	}
	return rep.Outgoing, nil
}

// ProblemCount is the number of findings on both sides.
func (p *Profile) ProblemCount() int {
	return len(p.LocalReport.Findings) + len(p.RemoteReport.Findings)
}

// Close releases the snapshots.
func (p *Profile) Close() error {
	var errs []error
	if p.Places != nil {
		errs = append(errs, p.Places.Close())
	}
	if p.Mirror != nil {
		errs = append(errs, p.Mirror.Close())
	}
	return errors.Join(errs...)
}
