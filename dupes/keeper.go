package dupes

import (
	"fmt"
	"time"
)

// keeper picks the copy to keep: the oldest of the first of these that
// any copy meets: on the server and in the newest backup, on the server,
// in the newest backup, in any backup, any copy. Those that the server
// and the newest backup know are the ones every device and the last good
// state agree on; among them the oldest is the original.
func (f *finder) keeper(copies []Copy) (int, string) {
	newest := ""
	if len(f.backups) > 0 {
		newest = f.backups[0].Name
	}
	inNewest := func(c *Copy) bool { return newest != "" && len(c.Backups) > 0 && c.Backups[0] == newest }
	onServer := func(c *Copy) bool { return c.Sides&OnServer != 0 }
	rules := []struct {
		ok  func(c *Copy) bool
		why string
	}{
		{func(c *Copy) bool { return onServer(c) && inNewest(c) }, "the oldest copy the server and the newest backup both have"},
		{onServer, "the oldest copy the server has"},
		{inNewest, "the oldest copy the newest backup has"},
		{func(c *Copy) bool { return len(c.Backups) > 0 }, "the oldest copy a backup has"},
		{func(*Copy) bool { return true }, "the oldest copy"},
	}
	for _, r := range rules {
		best := -1
		for i := range copies {
			if r.ok(&copies[i]) && (best < 0 || older(&copies[i], &copies[best])) {
				best = i
			}
		}
		if best >= 0 {
			return best, r.why + addedOn(copies[best].DateAdded)
		}
	}
	return -1, ""
}

// older orders copies by dateAdded (unknown last), then GUID.
func older(a, b *Copy) bool {
	switch {
	case a.DateAdded == b.DateAdded:
		return a.GUID < b.GUID
	case a.DateAdded == 0:
		return false
	case b.DateAdded == 0:
		return true
	}
	return a.DateAdded < b.DateAdded
}

func addedOn(us int64) string {
	if us <= 0 {
		return ""
	}
	return fmt.Sprintf(" (added %s)", time.UnixMicro(us).UTC().Format("2006-01-02 15:04"))
}
