package load

import (
	"fmt"
	"time"

	"github.com/bmtui/bmtui/serverdump"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Dump names a copy of the server's bookmarks (package serverdump) to
// read as the remote side, with the keys its records need.
type Dump struct {
	Path string
	Keys serverdump.Keys
}

// openDump reads the dump. Records changed on the server since the
// profile's last sync (its mirror's collection/lastModified) need
// merging, as if Firefox had just downloaded them; without a mirror the
// dump is read as a first sync.
func openDump(paths Paths, clocks tree.Clocks, d *Dump) (*serverdump.Source, *source.Result, error) {
	var lastSync int64
	if paths.Mirror != "" {
		db, err := mirror.Open(paths.Mirror)
		if err != nil {
			return nil, nil, err
		}
		lastSync = db.LastModified()
		db.Close()
	}
	src, err := serverdump.Open(d.Path, serverdump.Options{Keys: d.Keys, LastSync: lastSync})
	if err != nil {
		return nil, nil, err
	}
	r, err := src.Load(clocks.Remote)
	if err != nil {
		return nil, nil, err
	}
	since := "no mirror, so read as a first sync: every record needs merging"
	if lastSync > 0 {
		since = "records changed after the last sync (" + time.UnixMilli(lastSync).UTC().Format(time.RFC3339) + ") need merging"
	}
	r.Notes = append([]string{fmt.Sprintf("remote side: %s %s (%d records); %s", src.What(), d.Path, src.Records(), since)}, r.Notes...)
	return src, r, nil
}
