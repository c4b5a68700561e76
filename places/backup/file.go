package backup

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FolderName is the backups folder inside a profile.
const FolderName = "bookmarkbackups"

// fileNameRegexp is PlacesBackups' filenamesRegex: 1 date, 2 count, 3 hash,
// 4 extension.
var fileNameRegexp = regexp.MustCompile(`(?i)^bookmarks-([0-9-]+)(?:_([0-9]+))?(?:_([a-z0-9=_+-]{24,}))?\.(json(lz4)?)$`)

// Hash is the hash part of a backup's file name: SHA-256 of the
// uncompressed JSON, base64 with + → - and / → _, padding kept.
func Hash(json []byte) string {
	sum := sha256.Sum256(json)
	return base64.URLEncoding.EncodeToString(sum[:])
}

// FileName is the name Firefox gives a backup made on localDate (its own
// year, month and day are used: pass a time in the user's local zone) of
// json holding count nodes: bookmarks-YYYY-MM-DD_COUNT_HASH.jsonlz4.
func FileName(localDate time.Time, count int, json []byte) string {
	return fileName(dateString(localDate), count, Hash(json))
}

func fileName(date string, count int, hash string) string {
	return fmt.Sprintf("bookmarks-%s_%d_%s.jsonlz4", date, count, hash)
}

// dateString is PlacesBackups.toISODateString.
func dateString(t time.Time) string {
	return fmt.Sprintf("%d-%02d-%02d", t.Year(), int(t.Month()), t.Day())
}

// FileInfo is what a backup file name says.
type FileInfo struct {
	Date  string // YYYY-MM-DD as written
	Count int    // -1 if the name has none
	Hash  string // "" if the name has none
	LZ4   bool   // .jsonlz4 rather than .json
}

// ParseFileName reports whether name is one Firefox lists as a backup and
// what it says.
func ParseFileName(name string) (FileInfo, bool) {
	m := fileNameRegexp.FindStringSubmatch(name)
	if m == nil {
		return FileInfo{}, false
	}
	fi := FileInfo{Date: m[1], Count: -1, Hash: m[3], LZ4: m[5] != ""}
	if m[2] != "" {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return FileInfo{}, false
		}
		fi.Count = n
	}
	return fi, true
}

// Write makes a backup of db in <profileDir>/bookmarkbackups/ that Firefox
// lists under Library → Import and Backup → Restore, and returns its path.
//
// The file is written as <name>.tmp-style temporary file in the same
// folder, fsynced, checked by decoding it again, renamed into place and the
// folder fsynced, so a crash leaves either no new backup or a complete one
// (Firefox deletes stray *.tmp files in that folder itself).
//
// If a backup of the same local date with the same content hash already
// exists and decodes to exactly this JSON, it is kept and its path is
// returned. Existing backups are never deleted or replaced (except a file
// of exactly our name that turns out to be damaged): Firefox's own
// PlacesBackups.create(force) would replace an earlier backup of the same
// day, but for a repair tool that earlier file may be the only copy of the
// state before a previous bmtui run, so both are kept. Firefox lists both
// and prunes by browser.bookmarks.max_backups at its next backup.
func Write(profileDir string, db *sql.DB, now time.Time) (path string, err error) {
	js, count, err := Export(db)
	if err != nil {
		return "", err
	}
	return save(profileDir, js, count, now)
}

// WriteFile is Write of the Places database at placesPath, read through a
// read-only connection of its own (ExportFile).
func WriteFile(profileDir, placesPath string, now time.Time) (path string, err error) {
	js, count, err := ExportFile(placesPath)
	if err != nil {
		return "", err
	}
	return save(profileDir, js, count, now)
}

// WriteCopy is WriteFile of a private copy of the profile's Places
// database (ExportCopy says which copies qualify); the backup goes into
// the profile's own bookmarkbackups folder.
func WriteCopy(profileDir, copyPath string, now time.Time) (path string, err error) {
	js, count, err := ExportCopy(copyPath)
	if err != nil {
		return "", err
	}
	return save(profileDir, js, count, now)
}

// save writes js as Write describes.
func save(profileDir string, js []byte, count int, now time.Time) (path string, err error) {
	dir := filepath.Join(profileDir, FolderName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("backup: create %s: %w", dir, err)
	}
	local := now.In(time.Local)
	hash := Hash(js) // SHA-256 of several megabytes: once
	path = filepath.Join(dir, fileName(dateString(local), count, hash))

	if existing, err := sameDayCopy(dir, dateString(local), hash, js); err != nil {
		return "", err
	} else if existing != "" {
		return existing, nil
	}

	enc, err := EncodeLZ4(js)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "bmtui-*.jsonlz4.tmp")
	if err != nil {
		return "", fmt.Errorf("backup: create temporary file in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	if _, err = tmp.Write(enc); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("backup: write %s: %w", tmpName, err)
	}
	if err = verifyFile(tmpName, js); err != nil {
		return "", err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return path, nil
}

// sameDayCopy looks for a backup named for date with hash whose content is
// exactly js.
func sameDayCopy(dir, date, hash string, js []byte) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("backup: list %s: %w", dir, err)
	}
	for _, e := range entries {
		fi, ok := ParseFileName(e.Name())
		if !ok || !e.Type().IsRegular() || fi.Date != date || fi.Hash != hash {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if data, err := readContent(p); err == nil && bytes.Equal(data, js) {
			return p, nil
		}
	}
	return "", nil
}

// verifyFile reads back what Write wrote.
func verifyFile(path string, js []byte) error {
	data, err := readContent(path)
	if err != nil {
		return fmt.Errorf("backup: verify %s: %w", path, err)
	}
	if !bytes.Equal(data, js) {
		return fmt.Errorf("backup: verify %s: content read back differs from what was written", path)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// readContent returns the JSON held by a backup file, .jsonlz4 or .json.
func readContent(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return content(data)
}

func content(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte(Magic)) {
		return DecodeLZ4(data)
	}
	return data, nil
}

// Node is one item of a backup's JSON tree.
type Node struct {
	GUID         string  `json:"guid"`
	Title        string  `json:"title"`
	Index        int64   `json:"index"`
	DateAdded    int64   `json:"dateAdded"`    // µs
	LastModified int64   `json:"lastModified"` // µs
	ID           int64   `json:"id,omitempty"` // moz_bookmarks.id (backups only)
	TypeCode     int     `json:"typeCode"`     // 1 bookmark, 2 folder, 3 separator
	Type         string  `json:"type"`         // TypePlace, TypePlaceContainer, TypePlaceSeparator
	Root         string  `json:"root,omitempty"`
	URI          string  `json:"uri,omitempty"`
	Tags         string  `json:"tags,omitempty"` // comma-separated, sorted
	Charset      string  `json:"charset,omitempty"`
	IconURI      string  `json:"iconUri,omitempty"`
	Keyword      string  `json:"keyword,omitempty"`
	PostData     *string `json:"postData,omitempty"`
	Children     []*Node `json:"children,omitempty"`
}

// TagList returns the tags as a list (Firefox splits on commas on restore).
func (n *Node) TagList() []string {
	if n.Tags == "" {
		return nil
	}
	return strings.Split(n.Tags, ",")
}

// Count is the number of nodes in the tree rooted at n, n included: the
// COUNT of a backup's file name when n is the root.
func (n *Node) Count() int {
	c := 1
	for _, ch := range n.Children {
		c += ch.Count()
	}
	return c
}

// Walk calls fn for n and every descendant, parents first, with the parent
// (nil for n).
func (n *Node) Walk(fn func(node, parent *Node)) {
	var walk func(node, parent *Node)
	walk = func(node, parent *Node) {
		fn(node, parent)
		for _, ch := range node.Children {
			walk(ch, node)
		}
	}
	walk(n, nil)
}

// Read parses a backup file, mozLz40 (.jsonlz4) or plain JSON, into its
// tree.
func Read(path string) (*Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	n, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("backup: %s: %w", path, err)
	}
	return n, nil
}

// Parse parses backup bytes, mozLz40 or plain JSON, into its tree.
func Parse(data []byte) (*Node, error) {
	js, err := content(data)
	if err != nil {
		return nil, err
	}
	// Firefox's own shape of backup takes a fast road (parseFast);
	// anything else goes through encoding/json/v2 (its mirror module):
	// about twice as fast as v1 on a 40k-bookmark backup, which find and
	// the timeline read by the dozen. Lenient where Firefox's own JSON
	// reader is: invalid UTF-8 and a member named twice (the last wins)
	// are accepted.
	if root, ok := parseFast(js); ok {
		return root, checkChildren(root)
	}
	var root *Node
	if err := jsonv2.Unmarshal(js, &root, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)); err != nil {
		var se *jsonv2.SemanticError
		if errors.As(err, &se) && se.GoType != nil && se.JSONKind != 0 {
			// Well-formed JSON of another shape: say so plainly.
			where := "the top value"
			if se.JSONPointer != "" {
				where = "field " + strconv.Quote(string(se.JSONPointer))
			}
			return nil, fmt.Errorf("%w: %s is a JSON %s where a backup has %s", ErrNotBookmarkTree, where, jsonKindName(se.JSONKind), jsonKind(se.GoType.Kind()))
		}
		return nil, fmt.Errorf("parse backup JSON: %w", err)
	}
	if root == nil {
		return nil, errors.New("parse backup JSON: the top value is null")
	}
	if err := checkChildren(root); err != nil {
		return nil, err
	}
	return root, nil
}

// checkChildren rejects null entries in children arrays.
func checkChildren(n *Node) error {
	for _, ch := range n.Children {
		if ch == nil {
			return fmt.Errorf("parse backup JSON: %q has a null child", n.GUID)
		}
		if err := checkChildren(ch); err != nil {
			return err
		}
	}
	return nil
}

// jsonKind names a Go kind the way JSON would.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

// jsonKindName names a JSON kind for people.
func jsonKindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "value"
}
