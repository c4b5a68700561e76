// Package collect makes a support bundle of a loaded profile: it stages
// the bookmark tables of both databases (redacted if asked), reads the
// staged copies back as a case, and records what bmtui makes of them (the
// validation report and the merge's decision log, with the user's
// resolutions) next to them in one file (package bundle).
//
// The report and the log are computed from the staged copies, not from
// the profile, so that a redacted bundle's JSON holds only stand-ins, and
// so that they are exactly what opening the case shows.
package collect

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/jsonout"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/places"
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

// Write makes the bundle of prof (a loaded profile or case).
func Write(ctx context.Context, prof *load.Profile, o Options) (*Summary, error) {
	packer, err := bundle.NewPacker(o.Out, o.Force, o.Now.UTC())
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bmtui-bundle-")
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	defer os.RemoveAll(dir)
	defer packer.Wait() //nolint:errcheck // after Finish, or giving up: its error is told otherwise
	in := bundle.StageInput{Places: prof.Places.DB().Snapshot().Path, Dir: dir, Check: places.ParseURL}
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
	if err := bundle.Stage(ctx, in); err != nil {
		return nil, err
	}
	// The databases are compressed while they are read back and the
	// report and the log are made.
	packer.AddDatabases(dir, in.Mirror != "")
	// Read the staged copies as the case will be read.
	staged, err := load.Open(load.Paths{Dir: dir, Places: filepath.Join(dir, bundle.PlacesName), Mirror: mirrorPath(dir, in.Mirror != "")}, prof.Clocks)
	if err != nil {
		return nil, fmt.Errorf("bundle: read back: %w", err)
	}
	defer staged.Close()

	m := bundle.Manifest{
		Bmtui:    o.Version,
		Created:  o.Now.UTC(),
		Redacted: o.Redact,
		Clocks:   bundle.Clocks{Local: prof.Clocks.Local.UTC(), Remote: prof.Clocks.Remote.UTC()},
		Mirror:   in.Mirror != "",
		Notes:    originalNotes(prof, staged, dir, o.Redact),
	}
	packer.Add(bundle.DoctorName, o.Doctor)
	sum := &Summary{Out: o.Out, Redacted: o.Redact, LocalItems: staged.Local.Tree.Len() - 1, Remote: -1}
	report, problems, err := validation(prof, staged)
	if err != nil {
		return nil, err
	}
	packer.Add(bundle.ReportName, report)
	sum.Problems = problems
	if staged.Remote != nil {
		sum.Remote = staged.Remote.Tree.Len() - 1
	}
	if staged.MergeErr() == nil {
		log, session, err := decisions(ctx, staged, o.Resolutions)
		if err != nil {
			return nil, err
		}
		// Written straight into its compressor, in the background: 18 MB
		// of JSON for large-40k, which compresses about 6×.
		packer.AddStream(bundle.DecisionsName, 64*staged.Local.Tree.Len(), func(w io.Writer) error {
			if err := log.WriteIndented(w); err != nil {
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

func mirrorPath(dir string, has bool) string {
	if !has {
		return ""
	}
	return filepath.Join(dir, filepath.FromSlash(bundle.MirrorName))
}

// originalNotes are the staged profile's notes (what its readers said),
// without the private folder's name; a plain bundle keeps the profile's
// own notes too.
func originalNotes(prof, staged *load.Profile, dir string, redacted bool) []string {
	var out []string
	if !redacted {
		out = append(out, prof.Notes...)
	}
	for _, n := range staged.Notes {
		out = append(out, strings.ReplaceAll(n, dir+string(filepath.Separator), ""))
	}
	return out
}

// validation is `bmtui validate --json` of the staged trees, with the
// profile's own structural damage (the staged copies are fresh files;
// the damage is what a salvage needs to know), files named by their base
// names only.
func validation(prof, staged *load.Profile) ([]byte, int, error) {
	out := jsonout.Validate{
		Places:   bundle.PlacesName,
		Problems: staged.ProblemCount(),
		Local:    jsonout.NewSideReport(staged.Local.Tree, staged.Local.Report),
		Notes:    []string{},
	}
	if staged.Remote != nil {
		out.Mirror = bundle.MirrorName
		out.Remote = jsonout.NewSideReport(staged.Remote.Tree, staged.Remote.Report)
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

// decisions merges the staged trees with the user's resolutions and
// returns `bmtui merge --json` (without the outgoing records) and the
// session as merge --save-resolutions would save it for the case.
func decisions(ctx context.Context, staged *load.Profile, res []mergeview.Resolution) (log *jsonout.Merge, session []byte, err error) {
	v, err := mergeview.New(ctx, mergeview.Input{
		Local: staged.Local.Tree, Remote: staged.Remote.Tree, Now: staged.Clocks,
		Resolutions: res, Rebuild: staged.Rebuild,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bundle: merge: %w", err)
	}
	out := jsonout.NewMerge(v.Result())
	out.Conflicts = jsonout.NewConflicts(v.Conflicts())
	out.Summary.Conflicts = len(out.Conflicts)
	out.LocalTime, out.RemoteTime = staged.Clocks.Local.Unix(), staged.Clocks.Remote.Unix()
	out.Problems.Local = jsonout.NewSideReport(staged.Local.Tree, staged.Local.Report)
	out.Problems.Remote = jsonout.NewSideReport(staged.Remote.Tree, staged.Remote.Report)
	out.Notes = []string{}
	var s bytes.Buffer
	if err := v.Save(&s); err != nil {
		return nil, nil, fmt.Errorf("bundle: resolutions: %w", err)
	}
	return out, s.Bytes(), nil
}
