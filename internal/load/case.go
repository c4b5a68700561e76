package load

import (
	"errors"
	"fmt"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// ErrCase means a command that writes was given a case: a case is read,
// never written.
var ErrCase = errors.New("a case (bmtui bundle) is read-only")

// OpenCaseFile unpacks the bundle at path (bundle.Open). The caller opens
// it with OpenCase, once it has chosen the clocks (by default the
// bundle's, CaseClocks).
func OpenCaseFile(path string) (*bundle.Case, error) { return bundle.Open(path) }

// CaseClocks are the clocks the bundle was made with.
func CaseClocks(c *bundle.Case) tree.Clocks {
	return tree.Clocks{Local: c.Manifest.Clocks.Local, Remote: c.Manifest.Clocks.Remote}
}

// OpenCase reads an unpacked bundle as a profile: the same readers as a
// profile's (so its merge is the profile's), but each side's provenance is
// the case, and Profile.Case is set so that nothing writes to it. The
// profile owns c from here on: its Close removes the unpacked files.
func OpenCase(c *bundle.Case, clocks tree.Clocks) (*Profile, error) {
	paths := Paths{Dir: c.Dir, Places: c.PlacesPath(), Mirror: c.MirrorPath()}
	p, err := Open(paths, clocks)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("case %s: %w", c.Path, err)
	}
	p.Case = c
	p.Local.Provenance = caseProvenance(p.Local.Provenance, c, "Local (case)")
	if p.Remote != nil {
		p.Remote.Provenance = caseProvenance(p.Remote.Provenance, c, "Remote (case)")
	}
	p.Notes = append([]string{caseNote(c)}, p.Notes...)
	return p, nil
}

func caseProvenance(pv source.Provenance, c *bundle.Case, label string) source.Provenance {
	pv.Kind, pv.Path, pv.Label = source.Case, c.Path, label
	pv.At = c.Manifest.Created
	return pv
}

func caseNote(c *bundle.Case) string {
	s := fmt.Sprintf("case %s (made %s by %s), read-only", c.Path,
		c.Manifest.Created.UTC().Format("2006-01-02 15:04 UTC"), firstLine(c.Manifest.Bmtui))
	if c.Manifest.Redacted {
		s += "; redacted: titles, URLs, keywords and tags are stand-ins"
	}
	return s
}

func firstLine(s string) string {
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// Writable says why the profile cannot be written to, if it cannot: nil
// for a profile, ErrCase for a case.
func (p *Profile) Writable() error {
	if p.Case != nil {
		return fmt.Errorf("%w: %s; open the profile itself to write", ErrCase, p.Case.Path)
	}
	return nil
}
