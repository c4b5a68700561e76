package testutil

// stormScenario builds "storm-dupes" (issue 15): a synced tree and its
// backup (bookmarkbackups/ in before/), then a duplicate storm on both
// sides as a repeated first sync leaves it (copies in Work from this
// device and from the server, a twin News folder on the toolbar), the
// Recipes folder flattened into the menu, and near-dupes that must stay:
// "Go docs" (same URL, other title), "Go" at another URL (same title),
// "Docs" in two folders on purpose, two separators. The after-upload
// state is the storm as every device has it.
const stormScenario = `{"format": "fforacle-scenario/1", "name": "storm-dupes",
	"description": "issue 15: a synced tree and its backup, then a duplicate storm on both sides (copies in Work, a twin News folder on the toolbar), a flattened Recipes folder, and near-dupes that must stay",
	"synced": true,
	"baseTime": 1790000000,
	"local": {
		"menu": [
			{"type": "folder", "guid": "fldWork_____", "title": "Work", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkGo_______", "title": "Go", "url": "https://go.dev/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkRust_____", "title": "Rust", "url": "https://www.rust-lang.org/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"type": "separator", "guid": "sepWork1____", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkZig______", "title": "Zig", "url": "https://ziglang.org/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"type": "separator", "guid": "sepWork2____", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkGoDocs___", "title": "Go docs", "url": "https://go.dev/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkGoOther__", "title": "Go", "url": "https://go.dev/doc/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"type": "folder", "guid": "fldRecipes__", "title": "Recipes", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkSoup_____", "title": "Soup", "url": "https://food.example.com/soup", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkBread____", "title": "Bread", "url": "https://food.example.com/bread", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkCurry____", "title": "Curry", "url": "https://food.example.com/curry", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"type": "folder", "guid": "fldReading__", "title": "Reading", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkDocsTwo__", "title": "Docs", "url": "https://docs.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"guid": "bmkTop______", "title": "Top", "url": "https://top.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		],
		"toolbar": [
			{"type": "folder", "guid": "fldNews_____", "title": "News", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z", "children": [
				{"guid": "bmkLwn______", "title": "LWN", "url": "https://lwn.net/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"},
				{"guid": "bmkHn_______", "title": "HN", "url": "https://news.ycombinator.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
			]},
			{"guid": "bmkMail_____", "title": "Mail", "url": "https://mail.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		],
		"unfiled": [
			{"guid": "bmkDocsOne__", "title": "Docs", "url": "https://docs.example.com/", "dateAdded": "2026-10-01T10:00:00Z", "lastModified": "2026-10-01T10:00:00Z"}
		]
	},
	"localEdits": [
		{"op": "backup", "date": "2026-11-01"},
		{"op": "move", "guid": "bmkSoup_____", "parent": "menu________", "index": 1},
		{"op": "move", "guid": "bmkBread____", "parent": "menu________", "index": 2},
		{"op": "move", "guid": "bmkCurry____", "parent": "menu________", "index": 3},
		{"op": "remove", "guid": "fldRecipes__"},
		{"op": "insert", "parent": "fldWork_____", "index": 1, "item": {"guid": "stmGoL1_____", "title": "Go", "url": "https://go.dev/", "dateAdded": "2026-11-10T10:00:00Z", "lastModified": "2026-11-10T10:00:00Z"}},
		{"op": "insert", "parent": "fldWork_____", "index": 3, "item": {"guid": "stmRustL1___", "title": "Rust", "url": "https://www.rust-lang.org/", "dateAdded": "2026-11-10T10:00:00Z", "lastModified": "2026-11-10T10:00:00Z"}},
		{"op": "insert", "parent": "fldWork_____", "index": -1, "item": {"guid": "stmGoL2_____", "title": "Go", "url": "https://go.dev/", "dateAdded": "2026-11-10T10:00:01Z", "lastModified": "2026-11-10T10:00:01Z"}},
		{"op": "insert", "parent": "toolbar_____", "index": 1, "item": {"type": "folder", "guid": "stmNewsL____", "title": "News", "dateAdded": "2026-11-10T10:00:00Z", "lastModified": "2026-11-10T10:00:00Z", "children": [
			{"guid": "stmLwnL_____", "title": "LWN", "url": "https://lwn.net/", "dateAdded": "2026-11-10T10:00:00Z", "lastModified": "2026-11-10T10:00:00Z"},
			{"guid": "stmNewOnly__", "title": "Only in the twin", "url": "https://twin.example.com/", "dateAdded": "2026-11-10T10:00:00Z", "lastModified": "2026-11-10T10:00:00Z"}
		]}}
	],
	"remote": {
		"serverTime": 1790003600,
		"records": [
			{"id": "fldWork_____", "type": "folder", "parentid": "menu", "parentName": "Bookmarks Menu", "title": "Work", "dateAdded": 1790000000000,
			 "children": ["bmkGo_______", "bmkRust_____", "sepWork1____", "bmkZig______", "sepWork2____", "bmkGoDocs___", "bmkGoOther__", "stmGoR1_____", "stmZigR1____"]},
			{"id": "stmGoR1_____", "type": "bookmark", "parentid": "fldWork_____", "parentName": "Work", "title": "Go", "bmkUri": "https://go.dev/", "dateAdded": 1793000000000},
			{"id": "stmZigR1____", "type": "bookmark", "parentid": "fldWork_____", "parentName": "Work", "title": "Zig", "bmkUri": "https://ziglang.org/", "dateAdded": 1793000000000}
		]
	},
	"merge": {"localTime": null}
}`

// uploadedScenarios are built with fforacle's simulated upload, so that
// their after-upload/ state exists.
var uploadedScenarios = map[string]bool{"storm-dupes": true}
