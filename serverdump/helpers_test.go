package serverdump_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/sync/crypt"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/record"
	"github.com/bmtui/bmtui/sync/tree"
)

// testKB is the account key of the test dumps (FORMATS §4.5 V3's kB).
const testKB = "85c4f8c1d8e3e2186824c127af786891dd03c6e05b1b45f28f7181211bf2affb"

// testBSO is a record as GET /storage/bookmarks?full=1 returns it.
type testBSO struct {
	ID       string  `json:"id"`
	Modified float64 `json:"modified"`
	Payload  string  `json:"payload"`
}

// mirrorRecords turns a mirror's rows back into the records the server
// sent (FORMATS §3.3): every row that came from the server (the roots
// createMirrorRoots made are left out, as a server has no such records),
// each with its server time.
func mirrorRecords(tb testing.TB, items []mirror.ItemRow, structure []mirror.StructureRow) []serverRecord {
	tb.Helper()
	kids := map[string][]string{}
	for _, s := range structure { // sorted by (parent, position)
		if s.GUID != tree.RootGUID {
			kids[s.ParentGUID] = append(kids[s.ParentGUID], record.ID(s.GUID))
		}
	}
	var out []serverRecord
	for _, r := range items {
		if r.GUID == tree.RootGUID || r.ServerModified == 0 {
			continue
		}
		c := record.Cleartext{{Key: "id", Value: record.ID(r.GUID)}}
		if r.IsDeleted {
			c.Set("deleted", true)
			out = append(out, serverRecord{id: record.ID(r.GUID), modified: r.ServerModified, cleartext: c})
			continue
		}
		kind := map[int]string{mirror.KindBookmark: "bookmark", mirror.KindQuery: "query", mirror.KindFolder: "folder",
			mirror.KindLivemark: "livemark", mirror.KindSeparator: "separator"}[r.Kind]
		if kind == "" {
			tb.Fatalf("mirror row %s has kind %d", r.GUID, r.Kind)
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
		out = append(out, serverRecord{id: record.ID(r.GUID), modified: r.ServerModified, cleartext: c})
	}
	return out
}

type serverRecord struct {
	id        string
	modified  int64 // ms
	cleartext record.Cleartext
}

// encryptDump writes records as an encrypted raw-BSO dump, with a fresh
// bookmarks key in crypto/keys under testKB's Sync key. It returns the
// dump's, the key file's and the crypto/keys file's paths.
func encryptDump(tb testing.TB, dir string, recs []serverRecord) (dump, keyFile, cryptoKeys string) {
	tb.Helper()
	kB, _ := hex.DecodeString(testKB)
	syncKey, err := crypt.FromKB(kB)
	if err != nil {
		tb.Fatal(err)
	}
	bookmarks := crypt.KeyBundle{}
	for i := range bookmarks.Enc {
		bookmarks.Enc[i], bookmarks.MAC[i] = byte(i*7+1), byte(i*13+5)
	}
	b64 := func(k [32]byte) string { return base64.StdEncoding.EncodeToString(k[:]) }
	keysClear, _ := json.Marshal(map[string]any{"id": "keys", "collection": "crypto",
		"default":     []string{b64(syncKey.Enc), b64(syncKey.MAC)}, // any default: bookmarks has its own
		"collections": map[string][]string{"bookmarks": {b64(bookmarks.Enc), b64(bookmarks.MAC)}}})
	keysBSO := testBSO{ID: "keys", Modified: 1700000000, Payload: encrypt(tb, syncKey, keysClear, 0)}

	bsos := make([]testBSO, 0, len(recs))
	for i, r := range recs {
		clear, err := json.Marshal(r.cleartext)
		if err != nil {
			tb.Fatal(err)
		}
		bsos = append(bsos, testBSO{ID: r.id, Modified: float64(r.modified) / 1000, Payload: encrypt(tb, bookmarks, clear, uint64(i+1))})
	}
	dump = filepath.Join(dir, "bookmarks.json")
	keyFile = filepath.Join(dir, "key.txt")
	cryptoKeys = filepath.Join(dir, "crypto-keys.json")
	writeJSON(tb, dump, bsos)
	writeJSON(tb, cryptoKeys, keysBSO)
	if err := os.WriteFile(keyFile, []byte(testKB+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return dump, keyFile, cryptoKeys
}

// encrypt makes a payload string with an IV derived from n (tests only:
// Firefox's IVs are random).
func encrypt(tb testing.TB, k crypt.KeyBundle, clear []byte, n uint64) string {
	iv := make([]byte, 16)
	binary.BigEndian.PutUint64(iv[8:], n)
	p, err := k.Encrypt(clear, iv)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func writeJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
