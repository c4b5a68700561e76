package dbsnap

import "github.com/bmtui/bmtui/internal/dbcheck"

// Checked is a snapshotted file with SQLite's structural check of the
// snapshot, which runs in the background on a connection of its own once
// started: quick_check of both files of large-40k adds 80-100 ms to an
// open of about 144 ms (BenchmarkCheckLarge40k in internal/dbcheck).
// Places and the mirror embed it.
type Checked struct {
	*File
	check *dbcheck.Runner
}

// Check prepares the structural check of f's snapshot; nothing runs yet.
func Check(f *File) Checked {
	snap := f.Snapshot()
	return Checked{File: f, check: dbcheck.NewRunner(f.Path(), snap.OpenSQL)}
}

// StartCheck starts the structural check in the background (once the tree
// is read, so that it does not slow the reading down).
func (c *Checked) StartCheck() { c.check.Start() }

// Damage waits for the structural check (starting it if need be) and
// returns what it found: nil for a sound file.
func (c *Checked) Damage() ([]dbcheck.Damage, error) { return c.check.Wait() }

// Close stops the structural check, then closes the database and removes
// the snapshot.
func (c *Checked) Close() error {
	if c.check != nil {
		c.check.Stop()
	}
	return c.File.Close()
}
