package tree

import (
	"strconv"
	"time"
)

// Side names one of the two trees of a merge. The zero value is no side
// (in an override: let the merge decide).
type Side uint8

// Sides.
const (
	NoSide Side = iota
	Local       // the Places database on this device
	Remote      // the Sync mirror, or any other copy of the server's tree
)

func (s Side) String() string {
	switch s {
	case Local:
		return "local"
	case Remote:
		return "remote"
	}
	return "none"
}

// Other is the opposite side (NoSide stays NoSide).
func (s Side) Other() Side {
	switch s {
	case Local:
		return Remote
	case Remote:
		return Local
	}
	return NoSide
}

// Clocks are the two clocks ages are measured against: Places' local clock
// and the Sync server's. Trees never read a clock; these are inputs.
type Clocks struct {
	Local, Remote time.Time
}

// NowMillis is how Firefox hands a clock to the merger: whole seconds, in
// milliseconds.
func NowMillis(t time.Time) int64 { return t.Unix() * 1000 }

// RootTitle is the name Firefox shows for a built-in root, or "" for any
// other GUID. Roots' stored titles are empty or internal ("menu").
func RootTitle(guid string) string {
	switch guid {
	case RootGUID:
		return "Places root"
	case MenuGUID:
		return "Bookmarks Menu"
	case ToolbarGUID:
		return "Bookmarks Toolbar"
	case UnfiledGUID:
		return "Other Bookmarks"
	case MobileGUID:
		return "Mobile Bookmarks"
	case TagsGUID:
		return "Tags"
	}
	return ""
}

// Places sync statuses (moz_bookmarks.syncStatus, PlacesUtils' SYNC_STATUS).
const (
	SyncStatusUnknown = 0 // restored or imported: merged with the server at the next sync
	SyncStatusNew     = 1 // never uploaded
	SyncStatusNormal  = 2 // the server has it
)

// SyncStatusName names a Places syncStatus value.
func SyncStatusName(s int) string {
	switch s {
	case SyncStatusUnknown:
		return "UNKNOWN"
	case SyncStatusNew:
		return "NEW"
	case SyncStatusNormal:
		return "NORMAL"
	}
	return "status(" + strconv.Itoa(s) + ")"
}
