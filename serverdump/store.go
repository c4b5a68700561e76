package serverdump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/record"
	"github.com/bmtui/bmtui/sync/tree"
)

// Record is one record of the bookmarks collection as a dump holds it,
// decrypted.
type Record struct {
	ID        string // the envelope's id
	Modified  int64  // the server's time of the record, ms
	Cleartext []byte // the payload's JSON
}

// item is a record decoded by Firefox's incoming rules (FORMATS §2.4,
// §3.4), before it is given a row id, a URL id and needsMerge.
type item struct {
	guid, parent string
	hasParent    bool
	deleted      bool
	kind         int
	validity     int
	dateAdded    int64
	title        string
	url          string
	hasURL       bool
	keyword      string
	hasKeyword   bool
	tags         []string
	children     []string // folder children, as GUIDs
	modified     int64
}

// Limits of the incoming rules (FORMATS §3.4).
const (
	maxURLLength   = 65536
	maxTitleLength = 4096
	maxTagLength   = 100
	// earliestBookmarkTimestamp is Date.UTC(1993, 0, 23) in ms.
	earliestBookmarkTimestamp = 727747200000
)

// cleartext holds the keys of a bookmark record the mirror reads. Values
// whose type varies in the wild stay raw and are checked one by one.
type cleartext struct {
	ID         string          `json:"id"`
	Deleted    json.RawMessage `json:"deleted"`
	Type       json.RawMessage `json:"type"`
	ParentID   json.RawMessage `json:"parentid"`
	Title      json.RawMessage `json:"title"`
	BmkURI     json.RawMessage `json:"bmkUri"`
	Keyword    json.RawMessage `json:"keyword"`
	Tags       json.RawMessage `json:"tags"`
	Children   json.RawMessage `json:"children"`
	DateAdded  json.RawMessage `json:"dateAdded"`
	FolderName json.RawMessage `json:"folderName"`
	FeedURI    json.RawMessage `json:"feedUri"`
}

var cleartextKeys = []string{"id", "deleted", "type", "parentid", "title", "bmkUri", "keyword", "tags", "children", "dateAdded", "folderName", "feedUri"}

// readFlat is json.Unmarshal(text, c) for a compact record (flatObject),
// without copying its values; false when it cannot vouch for giving the
// same.
func (c *cleartext) readFlat(text []byte) bool {
	var v [12]json.RawMessage
	if !flatObject(text, cleartextKeys, v[:]) {
		return false
	}
	if v[0] != nil {
		id, ok := plainString(v[0])
		if !ok {
			return false
		}
		c.ID = id
	}
	c.Deleted, c.Type, c.ParentID, c.Title, c.BmkURI, c.Keyword = v[1], v[2], v[3], v[4], v[5], v[6]
	c.Tags, c.Children, c.DateAdded, c.FolderName, c.FeedURI = v[7], v[8], v[9], v[10], v[11]
	return true
}

// rawArray is json.Unmarshal(data, &list) into a []json.RawMessage.
func rawArray(data []byte) ([]json.RawMessage, error) {
	if list, ok := flatArray(data); ok {
		return list, nil
	}
	var list []json.RawMessage
	err := json.Unmarshal(data, &list)
	return list, err
}

// skipError is a record Firefox would not store; the reason is shown as a
// note and reading goes on.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func skipf(format string, args ...any) error { return &skipError{fmt.Sprintf(format, args...)} }

// decode applies the incoming rules to one record, as
// SyncedBookmarksMirror.store() would. A *skipError means Firefox would
// not store it; any other error means the cleartext is not a record.
func decode(r Record) (item, error) {
	var c cleartext
	if !c.readFlat(r.Cleartext) {
		if err := json.Unmarshal(r.Cleartext, &c); err != nil {
			return item{}, fmt.Errorf("cleartext is not a JSON record: %v", err)
		}
	}
	if c.ID != r.ID {
		return item{}, skipf("record id mismatch: the cleartext says %q", c.ID)
	}
	it := item{guid: record.GUID(r.ID), modified: r.Modified, kind: -1, validity: mirror.ValidityValid}
	switch r.ID {
	case "places", "pinned", "readinglist":
		return item{}, skipf("Firefox never stores a %q record (it deletes it from the server)", r.ID)
	}
	if b, ok := jsonBool(c.Deleted); ok && b {
		it.deleted = true
		return it, nil
	}
	if p, ok := jsonString(c.ParentID); ok {
		if p == "pinned" || p == "readinglist" {
			return item{}, skipf("child of %q: Firefox deletes it from the server", p)
		}
		it.parent, it.hasParent = record.GUID(p), true
	}
	it.dateAdded = ratchet(jsonMillis(c.DateAdded), r.Modified)
	kind, _ := jsonString(c.Type)
	switch kind {
	case "bookmark":
		it.kind = mirror.KindBookmark
		it.title = title(c.Title)
		it.url, it.hasURL = canonicalURL(c.BmkURI)
		if !it.hasURL {
			it.validity = mirror.ValidityReplace
		}
		if k, ok := jsonString(c.Keyword); ok {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				it.keyword, it.hasKeyword = k, true
			}
		}
		it.tags = tags(c.Tags)
	case "query":
		it.kind = mirror.KindQuery
		it.title = title(c.Title)
		it.url, it.hasURL = canonicalURL(c.BmkURI)
		if !it.hasURL {
			it.validity = mirror.ValidityReplace
			break
		}
		it.url, it.validity, it.hasURL = fixQuery(it.url, c.FolderName)
	case "folder":
		it.kind = mirror.KindFolder
		it.title = title(c.Title)
		if kids, err := rawArray(c.Children); len(c.Children) > 0 && err == nil {
			for _, k := range kids {
				if id, ok := jsonString(k); ok {
					it.children = append(it.children, record.GUID(id))
				}
			}
		}
	case "livemark":
		it.kind = mirror.KindLivemark
		it.title = title(c.Title)
		if _, ok := canonicalURL(c.FeedURI); !ok {
			it.validity = mirror.ValidityReplace
		}
	case "separator":
		it.kind = mirror.KindSeparator
	default:
		return item{}, skipf("unknown record type %s (Firefox ignores it)", strings.TrimSpace(string(c.Type)))
	}
	return it, nil
}

// ratchet is the mirror's dateAdded: the smallest of the record's
// dateAdded and its server time that is after 1993-01-23, else 0.
func ratchet(dateAdded, modified int64) int64 {
	best := int64(0)
	for _, v := range []int64{dateAdded, modified} {
		if v > earliestBookmarkTimestamp && (best == 0 || v < best) {
			best = v
		}
	}
	return best
}

func canonicalURL(raw json.RawMessage) (string, bool) {
	s, ok := jsonString(raw)
	if !ok || s == "" || utf16Len(s) > maxURLLength {
		return "", false
	}
	u, err := urls.Canonical(s)
	if err != nil {
		return "", false
	}
	return u, true
}

// fixQuery is the mirror's rewrite of legacy queries: a tag query by
// folder (type=7) becomes place:tag=NAME, a folder query gains
// excludeItems=1; both are then reuploaded.
func fixQuery(u string, folderName json.RawMessage) (string, int, bool) {
	if !urls.IsQuery(u) {
		return u, mirror.ValidityValid, true
	}
	params, err := url.ParseQuery(u[len("place:"):])
	if err != nil {
		return u, mirror.ValidityValid, true
	}
	if params.Get("type") == "7" {
		name, ok := jsonString(folderName)
		if name = strings.TrimSpace(name); !ok || name == "" || utf16Len(name) > maxTagLength {
			return "", mirror.ValidityReplace, false
		}
		fixed, err := urls.Canonical("place:tag=" + name)
		if err != nil {
			return "", mirror.ValidityReplace, false
		}
		return fixed, mirror.ValidityReupload, true
	}
	if params.Has("folder") && !params.Has("excludeItems") {
		return u + "&excludeItems=1", mirror.ValidityReupload, true
	}
	return u, mirror.ValidityValid, true
}

func title(raw json.RawMessage) string {
	s, _ := jsonString(raw)
	return truncateUTF16(s, maxTitleLength)
}

func tags(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	list, err := rawArray(raw)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range list {
		t, ok := jsonString(r)
		if t = strings.TrimSpace(t); ok && t != "" && utf16Len(t) <= maxTagLength {
			out = append(out, t)
		}
	}
	slices.Sort(out) // the mirror reader returns tags sorted
	return out
}

// jsonString is a JSON string's value; ok is false for null, absent or
// any other type.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && raw[len(raw)-1] == '"' {
		return string(inner), true // no escapes: the text is the value
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func jsonBool(raw json.RawMessage) (bool, bool) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// jsonMillis reads dateAdded: a number, or a numeric string; 0 otherwise.
func jsonMillis(raw json.RawMessage) int64 {
	s := string(raw)
	if str, ok := jsonString(raw); ok {
		s = str
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > math.MaxInt64/2 {
		return 0
	}
	return int64(f)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncateUTF16 cuts s to at most n UTF-16 code units, as JS's substring
// would, without splitting a character.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// rows stores the decoded records as Firefox's store() would into a
// mirror reset just before (its roots made by createMirrorRoots), and
// returns the mirror's items and structure rows, ordered as the mirror
// reader returns them. A record newer than lastSyncMs needs merging, as if
// it had been downloaded since the last sync; older ones count as merged
// already. A later record with the same id replaces an earlier one.
func rows(items []item, lastSyncMs int64) ([]mirror.ItemRow, []mirror.StructureRow) {
	byGUID := make(map[string]int, len(items)+5)
	out := make([]mirror.ItemRow, 0, len(items)+5)
	children := make(map[string][]string)
	put := func(r mirror.ItemRow, kids []string, isFolder bool) {
		if i, ok := byGUID[r.GUID]; ok {
			out[i] = r
		} else {
			byGUID[r.GUID] = len(out)
			out = append(out, r)
		}
		delete(children, r.GUID) // REPLACE cascades to the old structure rows
		if isFolder {
			children[r.GUID] = kids
		}
	}
	// createMirrorRoots: the Places root and the four user roots; user
	// roots need merging only on a first sync.
	put(mirror.ItemRow{GUID: tree.RootGUID, ParentGUID: tree.RootGUID, HasParent: true, Kind: mirror.KindFolder, Validity: mirror.ValidityValid}, nil, false)
	userRoots := []string{tree.ToolbarGUID, tree.MenuGUID, tree.UnfiledGUID, tree.MobileGUID}
	for _, g := range userRoots {
		put(mirror.ItemRow{GUID: g, ParentGUID: tree.RootGUID, HasParent: true, Kind: mirror.KindFolder,
			Validity: mirror.ValidityValid, NeedsMerge: lastSyncMs == 0}, nil, true)
	}

	urlIDs := make(map[string]int64)
	for _, it := range items {
		r := mirror.ItemRow{
			GUID: it.guid, ParentGUID: it.parent, HasParent: it.hasParent,
			ServerModified: max(it.modified, 0), NeedsMerge: it.modified > lastSyncMs,
			Validity: it.validity, IsDeleted: it.deleted, Kind: it.kind, DateAdded: it.dateAdded,
			Title: it.title, Keyword: it.keyword, HasKeyword: it.hasKeyword,
		}
		if it.deleted {
			r.Validity, r.DateAdded = mirror.ValidityValid, 0
		}
		if it.hasURL {
			id, ok := urlIDs[it.url]
			if !ok {
				id = int64(len(urlIDs) + 1)
				urlIDs[it.url] = id
			}
			r.URL, r.HasURL, r.URLID = it.url, true, id
		}
		if it.kind == mirror.KindBookmark {
			r.Tags = it.tags
		}
		put(r, it.children, it.kind == mirror.KindFolder)
	}
	for i := range out {
		out[i].ID = int64(i + 1)
	}
	slices.SortFunc(out, func(a, b mirror.ItemRow) int { return strings.Compare(a.GUID, b.GUID) })

	structure := make([]mirror.StructureRow, 0, len(out))
	structure = append(structure, mirror.StructureRow{GUID: tree.RootGUID, ParentGUID: tree.RootGUID, Position: -1})
	for i, g := range userRoots {
		structure = append(structure, mirror.StructureRow{GUID: g, ParentGUID: tree.RootGUID, Position: int64(i)})
	}
	for parent, kids := range children {
		seen := make(map[string]bool, len(kids))
		for pos, k := range kids {
			if seen[k] { // (parentGuid, guid) is the table's key
				continue
			}
			seen[k] = true
			structure = append(structure, mirror.StructureRow{GUID: k, ParentGUID: parent, Position: int64(pos)})
		}
	}
	slices.SortStableFunc(structure, func(a, b mirror.StructureRow) int {
		if c := strings.Compare(a.ParentGUID, b.ParentGUID); c != 0 {
			return c
		}
		return int(a.Position - b.Position)
	})
	return out, structure
}
