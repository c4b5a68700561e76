package testutil

// history14Scenario builds "history-14": one synced profile whose local
// edits leave four dated backups (2026-11-01 … 2026-11-04) between them,
// so that every change below has a backup before and after it. The mirror
// holds the first sync's tree plus one incoming server deletion, so both
// sides carry tombstones. History14 spells out the outcome.
const history14Scenario = `{"format": "fforacle-scenario/1", "name": "history-14",
	"description": "issue 14: a bookmark deleted after a backup, a folder emptied over several backups, a bookmark moved twice, a rename; four dated backups; tombstones in Places and the mirror",
	"synced": true,
	"baseTime": 1790000000,
	"local": {
		"menu": [
			{"type": "folder", "guid": "fldProjects_", "title": "Projects", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkProj1____", "title": "Project one", "url": "https://projects.example.com/one", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkProj2____", "title": "Project two", "url": "https://projects.example.com/two", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkProj3____", "title": "Project three", "url": "https://projects.example.com/three", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkProj4____", "title": "Project four", "url": "https://projects.example.com/four", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"type": "folder", "guid": "fldArchiveA_", "title": "Archive A", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkMoved____", "title": "Moved twice", "url": "https://moved.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"type": "folder", "guid": "fldArchiveB_", "title": "Archive B", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": []},
			{"type": "folder", "guid": "fldArchiveC_", "title": "Archive C", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": []},
			{"guid": "bmkDeleted__", "title": "Deleted after a backup", "url": "https://deleted.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
			{"guid": "bmkRenamed__", "title": "Old title", "url": "https://renamed.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		],
		"toolbar": [
			{"guid": "bmkStays____", "title": "Stays put", "url": "https://stays.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		],
		"unfiled": [
			{"guid": "bmkRemoteDel", "title": "Deleted on the server", "url": "https://remote-deleted.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		]
	},
	"localEdits": [
		{"op": "backup", "date": "2026-11-01"},
		{"op": "remove", "guid": "bmkProj1____"},
		{"op": "move", "guid": "bmkMoved____", "parent": "fldArchiveB_", "index": 0},
		{"op": "backup", "date": "2026-11-02"},
		{"op": "remove", "guid": "bmkProj2____"},
		{"op": "remove", "guid": "bmkProj3____"},
		{"op": "update", "guid": "bmkRenamed__", "title": "New title"},
		{"op": "backup", "date": "2026-11-03"},
		{"op": "remove", "guid": "bmkProj4____"},
		{"op": "move", "guid": "bmkMoved____", "parent": "fldArchiveC_", "index": 0},
		{"op": "remove", "guid": "bmkDeleted__"},
		{"op": "backup", "date": "2026-11-04"}
	],
	"remote": {
		"serverTime": 1790003600,
		"records": [
			{"id": "bmkRemoteDel", "deleted": true, "modified": 1790003000}
		]
	}
}`

// History14Item is what "history-14" holds of one GUID: its folder path
// (titles from the root's child down to the parent, "/"-joined) in each
// dated backup, absent where that backup lacks it; where Places and the
// mirror have it live ("" if not); whether each keeps a tombstone for it.
type History14Item struct {
	GUID            string
	Title           string
	Backups         map[string]string // backup date -> folder path
	Places          string            // folder path in places.sqlite, "" if gone
	Mirror          string            // folder path in the mirror, "" if gone
	PlacesTombstone bool
	MirrorTombstone bool
}

// History14 is the history of the GUIDs "history-14" is about. Folder
// paths name the roots as Firefox shows them (tree.RootTitle): "Bookmarks
// Menu", "Bookmarks Toolbar", "Other Bookmarks". The mirror holds the
// first sync's tree: everything where the 11-01 backup has it, but for
// the server's deletion.
var History14 = []History14Item{
	{GUID: "bmkDeleted__", Title: "Deleted after a backup",
		Backups:         map[string]string{"2026-11-01": "Bookmarks Menu", "2026-11-02": "Bookmarks Menu", "2026-11-03": "Bookmarks Menu"},
		Mirror:          "Bookmarks Menu",
		PlacesTombstone: true},
	{GUID: "bmkProj1____", Title: "Project one",
		Backups:         map[string]string{"2026-11-01": "Bookmarks Menu/Projects"},
		Mirror:          "Bookmarks Menu/Projects",
		PlacesTombstone: true},
	{GUID: "bmkProj2____", Title: "Project two",
		Backups:         map[string]string{"2026-11-01": "Bookmarks Menu/Projects", "2026-11-02": "Bookmarks Menu/Projects"},
		Mirror:          "Bookmarks Menu/Projects",
		PlacesTombstone: true},
	{GUID: "bmkProj3____", Title: "Project three",
		Backups:         map[string]string{"2026-11-01": "Bookmarks Menu/Projects", "2026-11-02": "Bookmarks Menu/Projects"},
		Mirror:          "Bookmarks Menu/Projects",
		PlacesTombstone: true},
	{GUID: "bmkProj4____", Title: "Project four",
		Backups:         map[string]string{"2026-11-01": "Bookmarks Menu/Projects", "2026-11-02": "Bookmarks Menu/Projects", "2026-11-03": "Bookmarks Menu/Projects"},
		Mirror:          "Bookmarks Menu/Projects",
		PlacesTombstone: true},
	{GUID: "fldProjects_", Title: "Projects",
		Backups: map[string]string{"2026-11-01": "Bookmarks Menu", "2026-11-02": "Bookmarks Menu", "2026-11-03": "Bookmarks Menu", "2026-11-04": "Bookmarks Menu"},
		Mirror:  "Bookmarks Menu",
		Places:  "Bookmarks Menu"},
	{GUID: "bmkMoved____", Title: "Moved twice",
		Backups: map[string]string{"2026-11-01": "Bookmarks Menu/Archive A", "2026-11-02": "Bookmarks Menu/Archive B", "2026-11-03": "Bookmarks Menu/Archive B", "2026-11-04": "Bookmarks Menu/Archive C"},
		Mirror:  "Bookmarks Menu/Archive A",
		Places:  "Bookmarks Menu/Archive C"},
	{GUID: "bmkRenamed__", Title: "New title", // "Old title" in the 11-01 and 11-02 backups
		Backups: map[string]string{"2026-11-01": "Bookmarks Menu", "2026-11-02": "Bookmarks Menu", "2026-11-03": "Bookmarks Menu", "2026-11-04": "Bookmarks Menu"},
		Mirror:  "Bookmarks Menu",
		Places:  "Bookmarks Menu"},
	{GUID: "bmkStays____", Title: "Stays put",
		Backups: map[string]string{"2026-11-01": "Bookmarks Toolbar", "2026-11-02": "Bookmarks Toolbar", "2026-11-03": "Bookmarks Toolbar", "2026-11-04": "Bookmarks Toolbar"},
		Mirror:  "Bookmarks Toolbar",
		Places:  "Bookmarks Toolbar"},
	// Deleted on the server only: the incoming tombstone waits in the
	// mirror (needsMerge); Places still has it in before/.
	{GUID: "bmkRemoteDel", Title: "Deleted on the server",
		Backups:         map[string]string{"2026-11-01": "Other Bookmarks", "2026-11-02": "Other Bookmarks", "2026-11-03": "Other Bookmarks", "2026-11-04": "Other Bookmarks"},
		Places:          "Other Bookmarks",
		MirrorTombstone: true},
}
