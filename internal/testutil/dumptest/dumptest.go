// Package dumptest makes server dumps for tests: the records of a
// mirror, encrypted as the server holds them. It is apart from testutil
// because it needs the mirror package, whose own tests use testutil.
package dumptest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/sync/crypt"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/record"
	"github.com/bmtui/bmtui/sync/tree"
)

// DumpKB is the account key of the test server dumps (FORMATS §4.5 V3's kB).
const DumpKB = "85c4f8c1d8e3e2186824c127af786891dd03c6e05b1b45f28f7181211bf2affb"

// MirrorRecords turns a mirror's rows back into the records the server
// sent (FORMATS §3.3): every row that came from the server (the roots
// createMirrorRoots made are left out, as a server has no such records),
// each with its server time.
func MirrorRecords(items []mirror.ItemRow, structure []mirror.StructureRow) ([]ServerRecord, error) {
	kids := map[string][]string{}
	for _, s := range structure { // sorted by (parent, position)
		if s.GUID != tree.RootGUID {
			kids[s.ParentGUID] = append(kids[s.ParentGUID], record.ID(s.GUID))
		}
	}
	var out []ServerRecord
	for _, r := range items {
		if r.GUID == tree.RootGUID || r.ServerModified == 0 {
			continue
		}
		c := record.Cleartext{{Key: "id", Value: record.ID(r.GUID)}}
		if r.IsDeleted {
			c.Set("deleted", true)
			out = append(out, ServerRecord{ID: record.ID(r.GUID), Modified: r.ServerModified, Cleartext: c})
			continue
		}
		kind := map[int]string{mirror.KindBookmark: "bookmark", mirror.KindQuery: "query", mirror.KindFolder: "folder",
			mirror.KindLivemark: "livemark", mirror.KindSeparator: "separator"}[r.Kind]
		if kind == "" {
			return nil, fmt.Errorf("mirror row %s has kind %d", r.GUID, r.Kind)
		}
		c.Set("type", kind)
		if r.HasParent {
			c.Set("parentid", record.ID(r.ParentGUID))
		}
		c.Set("hasDupe", true)
		if r.DateAdded != 0 {
			c.Set("dateAdded", r.DateAdded)
		}
		switch r.Kind {
		case mirror.KindBookmark, mirror.KindQuery:
			if r.HasURL {
				c.Set("bmkUri", r.URL)
			}
			c.Set("title", r.Title)
			if r.HasKeyword {
				c.Set("keyword", r.Keyword)
			}
			if len(r.Tags) > 0 {
				c.Set("tags", r.Tags)
			}
		case mirror.KindFolder, mirror.KindLivemark:
			c.Set("title", r.Title)
			c.Set("children", append([]string{}, kids[r.GUID]...))
		}
		out = append(out, ServerRecord{ID: record.ID(r.GUID), Modified: r.ServerModified, Cleartext: c})
	}
	return out, nil
}

// ServerRecord is a bookmark record as the server holds it, decrypted.
type ServerRecord struct {
	ID        string
	Modified  int64 // ms
	Cleartext record.Cleartext
}

// EncryptDump writes records as an encrypted raw-BSO dump, with a fresh
// bookmarks key in crypto/keys under DumpKB's Sync key. It returns the
// dump's, the key file's and the crypto/keys file's paths.
func EncryptDump(dir string, recs []ServerRecord) (dump, keyFile, cryptoKeys string, err error) {
	kB, _ := hex.DecodeString(DumpKB)
	syncKey, err := crypt.FromKB(kB)
	if err != nil {
		return "", "", "", err
	}
	bookmarks := crypt.KeyBundle{}
	for i := range bookmarks.Enc {
		bookmarks.Enc[i], bookmarks.MAC[i] = byte(i*7+1), byte(i*13+5)
	}
	b64 := func(k [32]byte) string { return base64.StdEncoding.EncodeToString(k[:]) }
	keysClear, _ := json.Marshal(map[string]any{"id": "keys", "collection": "crypto",
		"default":     []string{b64(syncKey.Enc), b64(syncKey.MAC)}, // any default: bookmarks has its own
		"collections": map[string][]string{"bookmarks": {b64(bookmarks.Enc), b64(bookmarks.MAC)}}})
	keysPayload, err := encryptPayload(syncKey, keysClear, 0)
	if err != nil {
		return "", "", "", err
	}
	keysBSO := dumpBSO{ID: "keys", Modified: 1700000000, Payload: keysPayload}
	bsos := make([]dumpBSO, 0, len(recs))
	for i, r := range recs {
		clear, err := json.Marshal(r.Cleartext)
		if err != nil {
			return "", "", "", err
		}
		p, err := encryptPayload(bookmarks, clear, uint64(i+1))
		if err != nil {
			return "", "", "", err
		}
		bsos = append(bsos, dumpBSO{ID: r.ID, Modified: float64(r.Modified) / 1000, Payload: p})
	}
	dump = filepath.Join(dir, "bookmarks.json")
	keyFile = filepath.Join(dir, "key.txt")
	cryptoKeys = filepath.Join(dir, "crypto-keys.json")
	if err := writeJSONFile(dump, bsos); err != nil {
		return "", "", "", err
	}
	if err := writeJSONFile(cryptoKeys, keysBSO); err != nil {
		return "", "", "", err
	}
	return dump, keyFile, cryptoKeys, os.WriteFile(keyFile, []byte(DumpKB+"\n"), 0o600)
}

// EncryptMirror writes the records of the mirror at mirrorPath as an
// encrypted dump in dir (EncryptDump).
func EncryptMirror(mirrorPath, dir string) (dump, keyFile, cryptoKeys string, err error) {
	db, err := mirror.Open(mirrorPath)
	if err != nil {
		return "", "", "", err
	}
	defer db.Close()
	items, err := db.Items()
	if err != nil {
		return "", "", "", err
	}
	structure, err := db.Structure()
	if err != nil {
		return "", "", "", err
	}
	recs, err := MirrorRecords(items, structure)
	if err != nil {
		return "", "", "", err
	}
	return EncryptDump(dir, recs)
}

// dumpBSO is a record as GET /storage/bookmarks?full=1 returns it.
type dumpBSO struct {
	ID       string  `json:"id"`
	Modified float64 `json:"modified"`
	Payload  string  `json:"payload"`
}

// encryptPayload makes a payload string with an IV derived from n (tests
// only: Firefox's IVs are random).
func encryptPayload(k crypt.KeyBundle, clear []byte, n uint64) (string, error) {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint64(iv[8:], n)
	p, err := k.Encrypt(clear, iv)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(p)
	return string(b), err
}

func writeJSONFile(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
