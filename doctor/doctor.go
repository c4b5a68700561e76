// Package doctor turns what is known about a profile (its Facts, gathered
// by doctor/examine) into a ranked diagnosis: each finding with how bad it
// is, what it means for the user, and the bmtui command that acts on it.
// It is pure: no I/O, no clock (the time is in the facts).
package doctor

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/sync/tree"
)

// Severity ranks a finding.
type Severity uint8

// Severities, from the least to the worst.
const (
	Info     Severity = iota // worth knowing, nothing to do
	Advice                   // something bmtui can improve
	Warning                  // something is wrong and will get worse
	Critical                 // bookmarks are at risk now
)

var severityNames = [...]string{"info", "advice", "warning", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity?"
}

// MarshalText writes the severity by name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if n == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// ExitCode is the exit code for a report whose worst finding is s: 0 when
// nothing needs doing, 3 when something does (as validate and salvage),
// 5 when bookmarks are at risk now.
func (s Severity) ExitCode() int {
	switch s {
	case Critical:
		return 5
	case Warning, Advice:
		return 3
	}
	return 0
}

// File is what is known of one database file.
type File struct {
	Path    string `json:"path"`
	Present bool   `json:"present"`
	Size    int64  `json:"size,omitempty"`
	OpenErr string `json:"openError,omitempty"` // it could not be read as a database
	// Corrupt: it could not be read because it is damaged (SQLite said
	// so), as opposed to missing permissions or not being SQLite at all.
	Corrupt bool             `json:"corrupt,omitempty"`
	Damage  []dbcheck.Damage `json:"damage,omitempty"` // SQLite's structural check
}

// Tree is what one side's tree holds.
type Tree struct {
	Items      int                `json:"items"`
	Bookmarks  int                `json:"bookmarks"`
	Folders    int                `json:"folders"`
	Tombstones int                `json:"tombstones"`
	Problems   tree.ProblemCounts `json:"problems"`
	// Changed counts items with local changes not yet synced (Places).
	Changed int `json:"changed,omitempty"`
}

// Corrupt is a places.sqlite.corrupt Firefox left when it replaced a
// database it found broken.
type Corrupt struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// Pref is one preference that tells the story, as prefs.js has it.
type Pref struct {
	Name  string `json:"name"`
	Value string `json:"value"` // as written in prefs.js
	Line  int    `json:"line"`
}

// Prefs is what prefs.js says about Places and Sync.
type Prefs struct {
	Found     bool     `json:"found"`
	Err       string   `json:"error,omitempty"`
	Relevant  []Pref   `json:"relevant,omitempty"`
	Malformed []string `json:"malformed,omitempty"`
	// Decoded values of the prefs the diagnosis reads.
	ReplaceOnStartup   bool      `json:"-"`
	LastCorruptionDay  int64     `json:"-"` // days since 1970-01-01; 0 if unset
	LastSync           time.Time `json:"-"`
	BookmarksDeclined  bool      `json:"-"`
	SyncConfigured     bool      `json:"-"` // an account is set up (services.sync.username)
	BookmarksDisabled  bool      `json:"-"` // services.sync.engine.bookmarks = false
	LastSyncUnreadable string    `json:"-"`
}

// Backups is what bookmarkbackups/ holds.
type Backups struct {
	Count      int       `json:"count"`
	Newest     time.Time `json:"newest,omitzero"`
	Oldest     time.Time `json:"oldest,omitzero"`
	NewestName string    `json:"newestName,omitempty"`
	Unnamed    int       `json:"unrecognised,omitempty"` // files whose names are not Firefox's
}

// Salvage is what a salvage would bring back, when one was considered.
type Salvage struct {
	Damaged     bool     `json:"damaged"`
	Why         []string `json:"why,omitempty"`
	Bookmarks   int      `json:"bookmarks"`
	Folders     int      `json:"folders"`
	LostFolders int      `json:"lostFolders"`
	BackupOnly  int      `json:"backupOnly"`
	Err         string   `json:"error,omitempty"`
}

// Dupes is what the duplicate finder reports, when it ran.
type Dupes struct {
	Groups  int            `json:"groups"`
	Copies  int            `json:"copies"` // copies a fix would remove
	ByKind  map[string]int `json:"byKind,omitempty"`
	Fixable int            `json:"fixable"`
}

// Facts is everything known about one profile.
type Facts struct {
	Profile    string    `json:"profile"`
	Now        time.Time `json:"now"`
	FirefoxPID int       `json:"firefoxPid,omitempty"`
	Places     File      `json:"places"`
	Mirror     File      `json:"mirror"`
	Local      *Tree     `json:"local,omitempty"`
	Remote     *Tree     `json:"remote,omitempty"`
	// LoadErr is why the trees could not be read ("" when they were).
	LoadErr string `json:"loadError,omitempty"`
	// Sync IDs of Places (moz_meta) and the mirror (meta); "" when unset.
	PlacesSyncID string    `json:"placesSyncId,omitempty"`
	MirrorSyncID string    `json:"mirrorSyncId,omitempty"`
	LastSync     time.Time `json:"lastSync,omitzero"` // Places' sync/bookmarks/lastsync
	Corrupt      *Corrupt  `json:"corrupt,omitempty"`
	Prefs        Prefs     `json:"prefs"`
	Backups      Backups   `json:"backups"`
	Salvage      *Salvage  `json:"salvage,omitempty"`
	Dupes        *Dupes    `json:"dupes,omitempty"`
}

// Finding is one line of the diagnosis.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code names the finding for scripts, e.g. "places-damaged".
	Code    string `json:"code"`
	Title   string `json:"title"`
	Detail  string `json:"detail,omitempty"`
	Command string `json:"command,omitempty"` // what acts on it
}

// Report is the diagnosis: the findings, worst first, and the facts.
type Report struct {
	Worst    Severity  `json:"worst"`
	Findings []Finding `json:"findings"`
	Facts    *Facts    `json:"facts"`
}

// ExitCode is the report's exit code, by its worst finding.
func (r *Report) ExitCode() int { return r.Worst.ExitCode() }

// Diagnose ranks what the facts say. cmdProfile is how commands in the
// report name the profile (e.g. "--profile ~/ff"), so that each can be
// pasted as it is.
func Diagnose(f *Facts, cmdProfile string) *Report {
	d := diagnosis{f: f, prof: cmdProfile}
	d.firefox()
	d.places()
	d.mirror()
	d.corrupt()
	d.prefs()
	d.syncIDs()
	d.trees()
	d.backups()
	d.dupes()
	d.salvage()
	slices.SortStableFunc(d.out, func(a, b Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	r := &Report{Findings: d.out, Facts: f}
	for _, x := range d.out {
		r.Worst = max(r.Worst, x.Severity)
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return r
}

type diagnosis struct {
	f    *Facts
	prof string
	out  []Finding
	// salvageTold: a finding already carries what salvage would do.
	salvageTold bool
}

// salvageDetail says what salvage would bring back ("" when it has
// nothing to do or did not run).
func (d *diagnosis) salvageDetail() string {
	s := d.f.Salvage
	if s == nil || s.Err != "" || !s.Damaged {
		return ""
	}
	out := fmt.Sprintf("salvage would rebuild %d bookmarks in %d folders", s.Bookmarks, s.Folders)
	if s.LostFolders > 0 {
		out += fmt.Sprintf(", re-homing the children of %d lost folders", s.LostFolders)
	}
	if s.BackupOnly > 0 {
		out += fmt.Sprintf(", %d items only an older backup holds", s.BackupOnly)
	}
	return out
}

// withSalvage appends what salvage would do to detail, once.
func (d *diagnosis) withSalvage(detail string) string {
	sd := d.salvageDetail()
	if sd == "" || d.salvageTold {
		return detail
	}
	d.salvageTold = true
	if detail == "" {
		return sd
	}
	return detail + "; " + sd
}

func (d *diagnosis) add(s Severity, code, title, detail, command string) {
	if command != "" {
		command = "bmtui " + command + d.profileArg()
	}
	d.out = append(d.out, Finding{Severity: s, Code: code, Title: title, Detail: detail, Command: command})
}

func (d *diagnosis) profileArg() string {
	if d.prof == "" {
		return ""
	}
	return " " + d.prof
}

func (d *diagnosis) firefox() {
	if d.f.FirefoxPID != 0 {
		d.add(Warning, "firefox-running", fmt.Sprintf("Firefox is running (pid %d)", d.f.FirefoxPID),
			"bmtui reads a snapshot; it writes nothing until Firefox is closed", "")
	}
}

func (d *diagnosis) places() {
	p := d.f.Places
	switch {
	case !p.Present:
		d.add(Critical, "places-missing", "places.sqlite is missing",
			d.withSalvage("Firefox will create an empty one and restore the newest backup, losing every change since"), "salvage")
	case p.Corrupt:
		d.add(Critical, "places-unreadable", "places.sqlite is damaged: its bookmarks cannot be read",
			d.withSalvage(p.OpenErr), "salvage")
	case p.OpenErr != "":
		d.add(Critical, "places-unreadable", "places.sqlite cannot be read: "+p.OpenErr,
			d.withSalvage("Firefox will set it aside as places.sqlite.corrupt and fall back to a backup"), "salvage")
	case len(p.Damage) > 0:
		d.add(Critical, "places-damaged", dbcheck.Summary(p.Damage),
			d.withSalvage("Firefox copies a damaged database all or nothing, then falls back to its newest backup; salvage keeps every readable row"), "salvage")
	}
}

// salvage reports what salvage found when no other finding said it.
func (d *diagnosis) salvage() {
	s := d.f.Salvage
	switch {
	case s == nil:
	case s.Err != "":
		d.add(Warning, "salvage-failed", "salvage could not read the profile: "+s.Err, "", "")
	case s.Damaged && !d.salvageTold:
		why := "salvage has something to bring back"
		if len(s.Why) > 0 {
			why = "salvage: " + s.Why[0]
		}
		d.add(Warning, "salvage", why, d.withSalvage(""), "salvage")
	}
}

func (d *diagnosis) mirror() {
	m := d.f.Mirror
	switch {
	case !m.Present:
		if d.f.Prefs.SyncConfigured {
			d.add(Info, "mirror-missing", "no Sync mirror (weave/bookmarks.sqlite)",
				"Sync is set up but has not synced bookmarks on this profile yet", "")
		}
	case m.OpenErr != "":
		d.add(Warning, "mirror-unreadable", "the Sync mirror cannot be read: "+m.OpenErr,
			"Firefox rebuilds it from the server at the next sync; local changes are kept in places.sqlite", "")
	case len(m.Damage) > 0:
		d.add(Warning, "mirror-damaged", dbcheck.Summary(m.Damage),
			"Firefox rebuilds the mirror from the server at the next sync; nothing local is lost", "")
	}
}

func (d *diagnosis) corrupt() {
	c := d.f.Corrupt
	if c == nil {
		return
	}
	age := d.f.Now.Sub(c.Modified)
	d.add(Warning, "corrupt-file", fmt.Sprintf("places.sqlite.corrupt lies in the profile (%s, %s old)", sizeText(c.Size), ageText(age)),
		d.withSalvage("Firefox replaced a database it found broken; bookmarks changed since its last backup may only be in that file"), "salvage")
}

func (d *diagnosis) prefs() {
	p := d.f.Prefs
	if p.Err != "" {
		d.add(Info, "prefs-unreadable", "prefs.js could not be read: "+p.Err, "", "")
	}
	if n := len(p.Malformed); n > 0 {
		d.add(Info, "prefs-malformed", fmt.Sprintf("prefs.js has %d malformed line(s)", n), p.Malformed[0], "")
	}
	if p.ReplaceOnStartup {
		d.add(Critical, "replace-on-startup", "Firefox will replace places.sqlite at its next start",
			"places.database.replaceDatabaseOnStartup is set: Firefox found the database corrupt and will move it aside; salvage before starting Firefox", "salvage")
	}
	if p.LastCorruptionDay > 0 {
		day := time.Unix(p.LastCorruptionDay*86400, 0).UTC()
		d.add(Info, "last-corruption", "Firefox last found places.sqlite corrupt on "+day.Format("2006-01-02"),
			fmt.Sprintf("%s ago (places.database.lastPlacesCorruptionInDaysFromEpoch)", ageText(d.f.Now.Sub(day))), "")
	}
	if p.BookmarksDeclined || p.BookmarksDisabled {
		d.add(Info, "bookmarks-not-synced", "Sync does not sync bookmarks on this profile",
			"the bookmarks engine is declined or disabled in prefs.js; the mirror may be old", "")
	}
	if p.LastSyncUnreadable != "" {
		d.add(Info, "prefs-lastsync", "services.sync.lastSync is not a date: "+p.LastSyncUnreadable, "", "")
	}
}

func (d *diagnosis) syncIDs() {
	pl, mi := d.f.PlacesSyncID, d.f.MirrorSyncID
	switch {
	case pl != "" && mi != "" && pl != mi:
		d.add(Warning, "sync-id-mismatch", fmt.Sprintf("Places and the mirror belong to different syncs (sync IDs %s and %s)", pl, mi),
			"Firefox will reset the mirror and merge everything again at the next sync, as on a first sync", "merge")
	case pl == "" && mi != "" && d.f.Local != nil:
		d.add(Advice, "sync-id-missing", "the mirror has a sync ID but Places has none",
			"Places was replaced or restored since the last sync: the next sync is a first sync", "merge")
	}
}

func (d *diagnosis) trees() {
	if d.f.LoadErr != "" && d.f.Places.OpenErr == "" && len(d.f.Places.Damage) == 0 {
		d.add(Warning, "trees-unreadable", "the bookmark trees could not be read: "+d.f.LoadErr, "", "validate")
	}
	if l := d.f.Local; l != nil {
		if n := l.Problems.Total(); n > 0 {
			d.add(Advice, "local-problems", fmt.Sprintf("the local tree has %d problem(s): %s", n, problemSummary(l.Problems)),
				"Firefox repairs these at its next sync the way bmtui's merge preview shows", "validate")
		}
		if l.Bookmarks == 0 && d.f.Backups.Count > 0 {
			d.add(Warning, "library-empty", "places.sqlite holds no bookmarks, but backups exist",
				"the Library looks empty; the newest backup is "+d.f.Backups.NewestName, "salvage")
		}
	}
	if r := d.f.Remote; r != nil {
		if n := r.Problems.Total(); n > 0 {
			d.add(Advice, "remote-problems", fmt.Sprintf("the server's tree (mirror) has %d problem(s): %s", n, problemSummary(r.Problems)),
				"the merge works around them as Firefox does", "validate")
		}
	}
	if l, r := d.f.Local, d.f.Remote; l != nil && r != nil && l.Changed > 0 {
		d.add(Info, "pending-changes", fmt.Sprintf("%d local change(s) wait for the next sync", l.Changed),
			"preview what Firefox's merge will do with them", "merge")
	}
}

func (d *diagnosis) backups() {
	b := d.f.Backups
	switch {
	case b.Count == 0:
		d.add(Advice, "no-backups", "no bookmark backups in bookmarkbackups/",
			"if places.sqlite is lost, Firefox has nothing to restore; Firefox writes one a day while it runs", "")
	case d.f.Now.Sub(b.Newest) > 30*24*time.Hour:
		d.add(Info, "old-backups", fmt.Sprintf("the newest bookmark backup is %s old (%s)", ageText(d.f.Now.Sub(b.Newest)), b.NewestName), "", "")
	}
}

func (d *diagnosis) dupes() {
	x := d.f.Dupes
	if x == nil || x.Groups == 0 {
		return
	}
	kinds := make([]string, 0, len(x.ByKind))
	for k, n := range x.ByKind {
		kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
	}
	slices.Sort(kinds)
	if x.Fixable == 0 {
		d.add(Info, "dupes", fmt.Sprintf("%d group(s) of possible duplicates, none fixed by default", x.Groups),
			strings.Join(kinds, ", ")+" (often deliberate: look before fixing)", "dupes")
		return
	}
	d.add(Advice, "dupes", fmt.Sprintf("%d group(s) of duplicates to fix, %d copies a fix would remove", x.Fixable, x.Copies),
		strings.Join(kinds, ", "), "dupes")
}

func ageText(d time.Duration) string {
	switch {
	case d < 0:
		return "0 minutes"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// problemSummary names the non-zero counts, e.g. "2 orphans, 1 cycle".
func problemSummary(c tree.ProblemCounts) string {
	parts := []struct {
		n    int
		name string
	}{
		{c.Orphans, "orphans"}, {c.MisparentedRoots, "misparented roots"}, {c.MultipleParents, "items with several parents"},
		{c.DeletedParents, "deleted parents"}, {c.MissingParents, "missing parents"}, {c.NonFolderParents, "non-folder parents"},
		{c.ParentChildDisagreements, "parent-child disagreements"}, {c.DeletedChildren, "deleted children"},
		{c.MissingChildren, "missing children"}, {c.InvalidItems, "invalid items"}, {c.Cycles, "cycles"},
	}
	var out []string
	for _, p := range parts {
		if p.n > 0 {
			out = append(out, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	return strings.Join(out, ", ")
}
