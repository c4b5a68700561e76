package load

import (
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// OpenFiles opens both databases' snapshots, as Open does, and starts
// their structural checks, but reads no tree: Local and Remote stay nil.
// It is for a command that copies the files and reads only its copies
// (bmtui bundle --redact reads its redacted copies back as a case), so
// that the profile's trees are not built for nothing. Close releases the
// snapshots.
func OpenFiles(paths Paths, clocks tree.Clocks) (*Profile, error) {
	p := &Profile{Paths: paths, Clocks: clocks}
	if running, pid, _ := places.FirefoxRunning(paths.Dir); running {
		p.FirefoxPID = pid
		p.Notes = append(p.Notes, fmt.Sprintf("Firefox is running (pid %d): showing a snapshot", pid))
	}
	var g errgroup.Group
	g.Go(func() (err error) {
		if p.Places, err = places.OpenSource(paths.Places); err == nil {
			p.Places.DB().StartCheck()
		}
		return err
	})
	if paths.Mirror != "" {
		g.Go(func() (err error) {
			if p.Mirror, err = mirror.OpenSource(paths.Mirror); err == nil {
				p.Mirror.DB().StartCheck()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}
