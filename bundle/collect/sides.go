package collect

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// sides are the two trees a bundle's report and decision log show: the
// trees of the files the bundle holds (Places and the mirror, never a
// server dump), as opening the case reads them.
type sides struct {
	local, remote *source.Result // remote nil without a mirror
	rebuild       func(tree.Side, map[string]string) (*tree.Tree, error)
	notes         []string
}

// noMirror is what a profile without a mirror notes.
const noMirror = "no Sync mirror (weave/bookmarks.sqlite): this profile never synced; showing Local only"

// readSides takes the profile's trees as loaded when they are the files'
// and need no redaction; otherwise it reads them again from the
// profile's sources (both at once), so that redaction may change them.
func readSides(prof *load.Profile, redacting bool) (*sides, error) {
	sd := &sides{rebuild: prof.Rebuild}
	if !redacting && prof.Local != nil && prof.Dump == nil {
		sd.local, sd.remote, sd.notes = prof.Local, prof.Remote, prof.Notes
		return sd, nil
	}
	var g errgroup.Group
	g.Go(func() (err error) {
		sd.local, err = prof.Places.Load(prof.Clocks.Local)
		return err
	})
	if prof.Mirror != nil {
		g.Go(func() (err error) {
			sd.remote, err = prof.Mirror.Load(prof.Clocks.Remote)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sd.addNotes(prof, redacting)
	return sd, nil
}

// rowSides builds both trees of a redacted bundle from the rows it
// holds, as opening the case reads them, instead of reading the files
// again: each tree as soon as its database's rows are read (then, as
// bundle.StageInput.Then), while the other database is still read.
type rowSides struct {
	prof *load.Profile
	sd   sides
	mu   sync.Mutex
	// irregular is errIrregular when the rows of either side hold
	// something only SQLite's reading decides (readSides then reads the
	// files).
	irregular error
}

func (rs *rowSides) then(member string, rows []byte, counts map[string]int) error {
	prof := rs.prof
	var err error
	switch member {
	case bundle.PlacesRows:
		var local *places.TreeRows
		if local, err = placesRows(rows, counts); err == nil {
			rs.sd.local, err = prof.Places.LoadRows(prof.Clocks.Local, local)
		}
	case bundle.MirrorRows:
		var items []mirror.ItemRow
		var structure []mirror.StructureRow
		if items, structure, err = mirrorRows(rows, counts); err == nil {
			rs.sd.remote, err = prof.Mirror.LoadRows(prof.Clocks.Remote, items, structure)
		}
	}
	if errors.Is(err, errIrregular) {
		rs.mu.Lock()
		rs.irregular = err
		rs.mu.Unlock()
		return nil
	}
	return err
}

// sides returns the trees built (after Stage), errIrregular when either
// side's rows were irregular.
func (rs *rowSides) sides(staged *bundle.Staged) (*sides, error) {
	if rs.irregular != nil {
		return nil, rs.irregular
	}
	sd := &rs.sd
	sd.addNotes(rs.prof, true)
	sd.rebuild = redactedRebuild(rs.prof, staged.StandIns)
	return sd, nil
}

// addNotes notes what reading the trees said.
func (sd *sides) addNotes(prof *load.Profile, redacting bool) {
	if !redacting {
		// The profile's own notes (Firefox running) name nothing private.
		sd.notes = append(sd.notes, prof.Notes...)
	}
	sd.notes = append(sd.notes, sd.local.Notes...)
	if sd.remote != nil {
		sd.notes = append(sd.notes, sd.remote.Notes...)
	} else {
		sd.notes = append(sd.notes, noMirror)
	}
	if redacting {
		// Notes name the files read: a redacted case names them as it
		// holds them.
		pairs := []string{prof.Paths.Places, bundle.PlacesName}
		if prof.Paths.Mirror != "" {
			pairs = append(pairs, prof.Paths.Mirror, bundle.MirrorName)
		}
		r := strings.NewReplacer(append(pairs, prof.Paths.Dir+string(filepath.Separator), "")...)
		for i, n := range sd.notes {
			sd.notes[i] = r.Replace(n)
		}
	}
}

// mergeable reports whether the two trees can be merged.
func (sd *sides) mergeable() bool {
	return sd.remote != nil && sd.local.TreeErr == nil && sd.remote.TreeErr == nil
}

// redact replaces the words of both trees (read by readSides, so theirs
// to change) with the stand-ins the bundle's rows got, and makes their
// reports again (a finding quotes a title or URL). The trees are then
// what reading the redacted rows gives: the merge looks only at what
// redaction keeps (TestCaseSameMembers checks the whole report and log).
func (sd *sides) redact(prof *load.Profile, s *bundle.StandIns) {
	var g errgroup.Group
	for _, r := range []*source.Result{sd.local, sd.remote} {
		if r == nil {
			continue
		}
		g.Go(func() error {
			redactTree(r.Tree, s)
			r.Report = check.Tree(r.Report.Side, r.Tree)
			return nil
		})
	}
	g.Wait() //nolint:errcheck // nothing fails
	sd.rebuild = redactedRebuild(prof, s)
}

// redactedRebuild reads a tree of the profile again with the user's
// choice of parents, redacted with the bundle's stand-ins.
func redactedRebuild(prof *load.Profile, s *bundle.StandIns) func(tree.Side, map[string]string) (*tree.Tree, error) {
	return func(side tree.Side, prefer map[string]string) (*tree.Tree, error) {
		t, err := prof.Rebuild(side, prefer)
		if err != nil {
			return nil, err
		}
		redactTree(t, s)
		return t, nil
	}
}

// redactTree replaces the titles, URLs, keywords and tags of t's nodes
// with their stand-ins, as the readers would read them from redacted rows:
// "" stays "" (NULL and empty words read alike), tags sorted again.
func redactTree(t *tree.Tree, s *bundle.StandIns) {
	txt := func(v string) string {
		if v == "" {
			return ""
		}
		return s.Text(v)
	}
	link := func(v string) string {
		if v == "" {
			return ""
		}
		return s.URL(v)
	}
	for i := range t.Len() {
		n := t.Node(int32(i))
		// Content repeats Info's title and URL: each is looked up once.
		var title, titleTo, url, urlTo string
		if n.Info != nil {
			in := *n.Info
			title, url = in.Title, in.URL
			in.Title, in.URL, in.Keyword = txt(in.Title), link(in.URL), txt(in.Keyword)
			titleTo, urlTo = in.Title, in.URL
			if len(in.Tags) > 0 {
				tags := make([]string, len(in.Tags))
				for j, tag := range in.Tags {
					tags[j] = txt(tag)
				}
				slices.Sort(tags)
				in.Tags = tags
			}
			n.Info = &in
		}
		if n.Content != nil {
			c := *n.Content
			if c.Title == title {
				c.Title = titleTo
			} else {
				c.Title = txt(c.Title)
			}
			if c.URL == url {
				c.URL = urlTo
			} else {
				c.URL = link(c.URL)
			}
			n.Content = &c
		}
	}
}
