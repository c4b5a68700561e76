// Package collect makes a support bundle of a loaded profile: it reads
// the bookmark tables of both databases as rows (redacted if asked,
// package bundle) and records what bmtui makes of the profile's trees
// (the validation report and the merge's decision log, with the user's
// resolutions) next to the rows in one file.
//
// A redacted bundle builds its trees from the redacted rows it has just
// read, as opening the case does (the tables are read once), so that its
// JSON holds only stand-ins and the report and the log are exactly what
// opening the case shows (TestCaseSameMembers, TestTreesFromRows).
package collect

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/tree"
)

// Options say what goes into a bundle.
type Options struct {
	Out    string // the bundle file
	Force  bool   // replace Out if it exists
	Redact bool   // replace titles, URLs, keywords and tags by stand-ins
	// Resolutions are the user's decisions (a saved session's), replayed
	// in the decision log and kept in the bundle.
	Resolutions []mergeview.Resolution
	Version     string    // bmtui's version (internal/version)
	Now         time.Time // when the bundle is made
	// Key is the redaction key; nil draws a fresh random one (tests fix it).
	Key []byte
	// Doctor is `bmtui doctor --json` of the profile, nil for none.
	Doctor []byte
}

// Summary says what was written.
type Summary struct {
	Out                 string
	Redacted            bool
	LocalItems, Remote  int // items in each tree (Remote -1 without a mirror)
	Problems, Conflicts int
	Bytes               int64
}

// Write makes the bundle of prof (a loaded profile or case, or one
// opened by load.OpenFiles without its trees).
func Write(ctx context.Context, prof *load.Profile, o Options) (*Summary, error) {
	packer, err := bundle.NewPacker(o.Out, o.Force, o.Now.UTC())
	if err != nil {
		return nil, err
	}
	defer packer.Wait() //nolint:errcheck // after Finish, or giving up: its error is told otherwise
	in := bundle.StageInput{Places: prof.Places.DB().Snapshot().Path, Check: places.ParseURL}
	if prof.Mirror != nil {
		in.Mirror = prof.Mirror.DB().Snapshot().Path
	}
	if o.Redact {
		in.Key = o.Key
		if in.Key == nil {
			in.Key = make([]byte, redact.KeySize)
			rand.Read(in.Key) // never fails (crypto/rand)
		}
	}
	sd, staged, err := readProfile(ctx, prof, in)
	if err != nil {
		return nil, err
	}
	// The rows are compressed on one core while the other merges (both
	// trees are built by then, on both cores).
	packer.AddStaged(staged)

	m := bundle.Manifest{
		Bmtui:    o.Version,
		Created:  o.Now.UTC(),
		Redacted: o.Redact,
		Clocks:   bundle.Clocks{Local: prof.Clocks.Local.UTC(), Remote: prof.Clocks.Remote.UTC()},
		Mirror:   in.Mirror != "",
		Notes:    sd.notes,
	}
	packer.Add(bundle.DoctorName, o.Doctor)
	sum := &Summary{Out: o.Out, Redacted: o.Redact, LocalItems: sd.local.Tree.Len() - 1, Remote: -1}
	report, problems, err := validation(prof, sd)
	if err != nil {
		return nil, err
	}
	packer.Add(bundle.ReportName, report)
	sum.Problems = problems
	if sd.remote != nil {
		sum.Remote = sd.remote.Tree.Len() - 1
	}
	if sd.mergeable() {
		log, session, err := decisions(ctx, sd, prof.Clocks, o.Resolutions)
		if err != nil {
			return nil, err
		}
		// Written straight into its compressor, in the background, without
		// indentation: `bmtui merge --json`'s members, 11 MB for large-40k.
		packer.AddStream(bundle.DecisionsName, 64*sd.local.Tree.Len(), func(w io.Writer) error {
			if err := writeLog(w, log); err != nil {
				return fmt.Errorf("decision log: %w", err)
			}
			return nil
		})
		sum.Conflicts = len(log.Conflicts)
		if len(o.Resolutions) > 0 {
			packer.Add(bundle.ResolutionsName, session)
		}
	}
	if err := packer.Finish(m); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(o.Out); err == nil {
		sum.Bytes = fi.Size()
	}
	return sum, nil
}

// readProfile reads the rows and the trees of prof. A redacted bundle's
// trees are built from its rows (unless they are irregular: then they
// are read from the files and redacted with the rows' stand-ins);
// otherwise the trees are the profile's as loaded, or read at the same
// time as the rows.
func readProfile(ctx context.Context, prof *load.Profile, in bundle.StageInput) (*sides, *bundle.Staged, error) {
	redacting := in.Key != nil
	var staged *bundle.Staged
	var sd *sides
	if redacting {
		rs := &rowSides{prof: prof}
		in.Then = rs.then
		var err error
		if staged, err = bundle.Stage(ctx, in); err != nil {
			return nil, nil, err
		}
		sd, err = rs.sides(staged)
		if errors.Is(err, errIrregular) {
			if sd, err = readSides(prof, true); err == nil {
				sd.redact(prof, staged.StandIns)
			}
		}
		return sd, staged, err
	}
	// Each from its own connection to the snapshots.
	var g errgroup.Group
	g.Go(func() (err error) {
		staged, err = bundle.Stage(ctx, in)
		return err
	})
	g.Go(func() (err error) {
		sd, err = readSides(prof, false)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return sd, staged, nil
}

// validation is `bmtui validate --json` of the staged trees, with the
// profile's own structural damage (the staged copies are fresh files;
// the damage is what a salvage needs to know), files named by their base
// names only.
func validation(prof *load.Profile, sd *sides) ([]byte, int, error) {
	out := jsonout.Validate{
		Places:   bundle.PlacesName,
		Problems: len(sd.local.Report.Findings),
		Local:    jsonout.NewSideReport(sd.local.Tree, sd.local.Report),
		Notes:    []string{},
	}
	if sd.remote != nil {
		out.Mirror = bundle.MirrorName
		out.Remote = jsonout.NewSideReport(sd.remote.Tree, sd.remote.Report)
		out.Problems += len(sd.remote.Report.Findings)
	}
	localDamage, remoteDamage, err := prof.Damage()
	if err != nil {
		out.Notes = append(out.Notes, "structural check incomplete")
	}
	out.Local.AddDamage("local", baseNames(localDamage))
	if out.Remote != nil {
		out.Remote.AddDamage("remote", baseNames(remoteDamage))
	}
	out.Problems += len(localDamage) + len(remoteDamage)
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, 0, fmt.Errorf("bundle: report: %w", err)
	}
	return b, out.Problems, nil
}

func baseNames(ds []dbcheck.Damage) []dbcheck.Damage {
	out := make([]dbcheck.Damage, len(ds))
	for i, d := range ds {
		d.File = filepath.Base(d.File)
		out[i] = d
	}
	return out
}

// decisions merges the trees with the user's resolutions and returns
// `bmtui merge --json` (without the outgoing records) and, when there are
// resolutions, the session as merge --save-resolutions would save it for
// the case.
func decisions(ctx context.Context, sd *sides, clocks tree.Clocks, res []mergeview.Resolution) (log *jsonout.Merge, session []byte, err error) {
	v, err := mergeview.New(ctx, mergeview.Input{
		Local: sd.local.Tree, Remote: sd.remote.Tree, Now: clocks,
		Resolutions: res, Rebuild: sd.rebuild,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bundle: merge: %w", err)
	}
	out := jsonout.NewMerge(v.Result())
	out.Conflicts = jsonout.NewConflicts(v.Conflicts())
	out.Summary.Conflicts = len(out.Conflicts)
	out.LocalTime, out.RemoteTime = clocks.Local.Unix(), clocks.Remote.Unix()
	out.Problems.Local = jsonout.NewSideReport(sd.local.Tree, sd.local.Report)
	out.Problems.Remote = jsonout.NewSideReport(sd.remote.Tree, sd.remote.Report)
	out.Notes = []string{}
	if len(res) == 0 {
		// No resolutions member: the session (both trees identified,
		// a tenth of the command's time on large-40k) is not made.
		return out, nil, nil
	}
	var s bytes.Buffer
	if err := v.Save(&s); err != nil {
		return nil, nil, fmt.Errorf("bundle: resolutions: %w", err)
	}
	return out, s.Bytes(), nil
}
