// Package bundle is a support case in one file: a zip holding the
// bookmark tables of a profile's two databases (package redact can
// replace their words first), the clocks the merge was previewed at, the
// user's saved resolutions, the validation report, the merge's decision
// log, bmtui's version and a slot for the doctor's report.
//
// A zip because Go's standard library reads and writes it (archive/zip),
// a support engineer can list and unpack it with any tool, and its
// members are read one by one: the manifest is read first, without
// inflating the databases, so a wrong file is refused at once.
//
// Version 2 holds each database's bookmark tables as rows (Tables), which
// cost a fraction of an SQLite file to write; opening a case builds the
// SQLite files back (materialize), so that a case is still read by the
// very code that reads a profile, and its merge is the profile's,
// decision for decision. Version 1 held the SQLite files themselves; it
// is still read.
package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Format and Version name the bundle format in its manifest; a reader
// reads versions MinVersion to Version and refuses any other.
const (
	Format     = "bmtui-bundle"
	Version    = 2
	MinVersion = 1
)

// Member names besides the two databases.
const (
	ManifestName    = "manifest.json"
	ReportName      = "report.json"      // bmtui validate --json of both trees
	DecisionsName   = "merge.json"       // bmtui merge --json: merged tree, decisions, conflicts
	ResolutionsName = "resolutions.json" // the user's saved session (merge --save-resolutions)
	DoctorName      = "doctor.json"      // bmtui doctor --json, when there is one
)

// Manifest describes a bundle; it is its first member.
type Manifest struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Bmtui   string    `json:"bmtui"` // the version of bmtui that wrote it
	Created time.Time `json:"created"`
	// Redacted says titles, URLs, keywords and tags are stand-ins.
	Redacted bool `json:"redacted"`
	// Clocks are the times the profile's ages were measured against: a
	// case opens with them, so that its merge is the one the user saw.
	Clocks Clocks `json:"clocks"`
	// Mirror says the profile had a Sync mirror.
	Mirror bool `json:"mirror"`
	// Members lists the other members, by name.
	Members []string `json:"members"`
	// Doctor names the doctor's report member, "" when there is none yet.
	Doctor string `json:"doctor"`
	// Notes are what bmtui said when it read the profile.
	Notes []string `json:"notes"`
}

// Clocks are the local and the server's clock.
type Clocks struct {
	Local  time.Time `json:"local"`
	Remote time.Time `json:"remote"`
}

// Errors a bundle reader returns, wrapped with the file's name.
var (
	ErrNotBundle = errors.New("not a bmtui bundle")
	ErrVersion   = errors.New("unsupported bundle version")
	ErrDamaged   = errors.New("damaged bundle")
)

func (m *Manifest) check() error {
	if m.Format != Format {
		return fmt.Errorf("%w (its manifest names the format %q)", ErrNotBundle, m.Format)
	}
	if m.Version < MinVersion || m.Version > Version {
		return fmt.Errorf("%w %d: this bmtui reads versions %d to %d", ErrVersion, m.Version, MinVersion, Version)
	}
	if m.Clocks.Local.IsZero() || m.Clocks.Remote.IsZero() {
		return fmt.Errorf("%w: its manifest has no clocks", ErrDamaged)
	}
	return nil
}

func decodeManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: its manifest is not JSON: %v", ErrNotBundle, err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}
