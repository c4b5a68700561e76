package serverdump_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil/dumptest"
	"github.com/bmtui/bmtui/serverdump"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/crypt"
	"github.com/bmtui/bmtui/sync/record"
	"github.com/bmtui/bmtui/sync/tree"
)

// clock is the server's clock of these tests: 2023-11-15.
var clock = time.UnixMilli(1700010000000)

// outline prints a tree one item a line: GUID, kind, title, URL, keyword,
// tags, needsMerge and validity, indented by depth.
func outline(t *tree.Tree) string {
	var b strings.Builder
	t.Walk(func(_ int32, n *tree.Node) bool {
		fmt.Fprintf(&b, "%s%s %s", strings.Repeat("  ", int(n.Level)), n.GUID, n.Kind)
		if in := n.Info; in != nil {
			if in.Title != "" {
				fmt.Fprintf(&b, " %q", in.Title)
			}
			if in.URL != "" {
				fmt.Fprintf(&b, " <%s>", in.URL)
			}
			if in.Keyword != "" {
				fmt.Fprintf(&b, " kw=%s", in.Keyword)
			}
			if len(in.Tags) > 0 {
				fmt.Fprintf(&b, " tags=%s", strings.Join(in.Tags, ","))
			}
		}
		if n.NeedsMerge {
			b.WriteString(" *")
		}
		if n.Validity != tree.Valid {
			fmt.Fprintf(&b, " %s", n.Validity)
		}
		b.WriteByte('\n')
		return true
	})
	return b.String()
}

func load(t *testing.T, data string, opt serverdump.Options) *source.Result {
	t.Helper()
	s, err := serverdump.Read([]byte(data), opt)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Load(clock)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The records of the format tests: a menu with a folder, a bookmark, a
// separator and a query; a tombstone; all changed after lastSync.
var cleartexts = []string{
	`{"id":"menu","type":"folder","parentid":"places","title":"menu","children":["fldA________","sepA________"]}`,
	`{"id":"fldA________","type":"folder","parentid":"menu","title":"Folder A","children":["bmkA________","qryA________"],"dateAdded":1600000000000}`,
	`{"id":"bmkA________","type":"bookmark","parentid":"fldA________","title":"Example","bmkUri":"HTTPS://Example.COM","keyword":"  KW ","tags":["  b ","a",""],"dateAdded":"1600000000000"}`,
	`{"id":"qryA________","type":"query","parentid":"fldA________","title":"Tagged","bmkUri":"place:type=7&folder=12","folderName":"mytag"}`,
	`{"id":"sepA________","type":"separator","parentid":"menu","pos":1}`,
	`{"id":"bmkGone_____","deleted":true}`,
}

const wantOutline = `root________ folder
  toolbar_____ folder
  menu________ folder "menu" *
    fldA________ folder "Folder A" *
      bmkA________ bookmark "Example" <https://example.com/> kw=kw tags=a,b *
      qryA________ query "Tagged" <place:tag=mytag> * reupload
    sepA________ separator *
  unfiled_____ folder
  mobile______ folder
`

func TestFormats(t *testing.T) {
	// about:sync's export: decrypted records, their times among the raw
	// records (one under "data", one missing).
	var clear []json.RawMessage
	var rawRecs []string
	for i, c := range cleartexts {
		clear = append(clear, json.RawMessage(c))
		var head struct{ ID string }
		json.Unmarshal([]byte(c), &head)
		switch i {
		case 0:
			rawRecs = append(rawRecs, fmt.Sprintf(`{"data":{"id":%q,"modified":1700005000.12}}`, head.ID))
		case 1:
		default:
			rawRecs = append(rawRecs, fmt.Sprintf(`{"id":%q,"modified":1700005000.12,"payload":"{}"}`, head.ID))
		}
	}
	clearJSON, _ := json.Marshal(clear)
	aboutSync := `{"infos":{"collections":[{"name":"bookmarks","lastModified":"2023-11-14T23:36:40.120Z"}]},
		"collections":{"bookmarks":{"response":{"records":[` + strings.Join(rawRecs, ",") + `]},"records":` + string(clearJSON) + `}},
		"bookmarksTree":{"guid":"root________"}}`

	// ffsclient list bookmarks --decoded --format json (data as a string,
	// and as an object with --pretty-print).
	var decoded []map[string]any
	for i, c := range cleartexts {
		var head struct{ ID string }
		json.Unmarshal([]byte(c), &head)
		e := map[string]any{"id": head.ID, "ttl": nil, "sortIndex": 0, "modified": "2023-11-14T23:36:40.12Z", "modified_unix": 1700005000.12, "data": c}
		if i%2 == 1 {
			e["data"] = json.RawMessage(c)
		}
		decoded = append(decoded, e)
	}
	ffsDecoded, _ := json.Marshal(decoded)

	// Raw BSOs with cleartext payloads (as a test server may hold them).
	var bsos []map[string]any
	for _, c := range cleartexts {
		var head struct{ ID string }
		json.Unmarshal([]byte(c), &head)
		bsos = append(bsos, map[string]any{"id": head.ID, "modified": 1700005000.12, "payload": c})
	}
	rawClear, _ := json.Marshal(bsos)

	tests := []struct {
		name, data string
		kind       source.Kind
		notes      int
	}{
		{"about:sync export", aboutSync, serverdump.AboutSync, 1},
		{"ffsclient decoded", string(ffsDecoded), serverdump.FFSClient, 0},
		{"raw cleartext records", string(rawClear), serverdump.ServerRecords, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(t, tt.data, serverdump.Options{LastSync: 1700000000000})
			if got := outline(r.Tree); got != wantOutline {
				t.Errorf("tree:\n%s\nwant:\n%s", got, wantOutline)
			}
			if r.Provenance.Kind != tt.kind || r.Provenance.Side != tree.Remote {
				t.Errorf("provenance %+v", r.Provenance)
			}
			if len(r.Tombstones) != 1 || r.Tombstones[0].GUID != "bmkGone_____" || r.Tombstones[0].Deleted.UnixMilli() != 1700005000120 {
				t.Errorf("tombstones %+v", r.Tombstones)
			}
			if len(r.Notes) != tt.notes {
				t.Errorf("notes %q", r.Notes)
			}
			bmk := r.Tree.Lookup("bmkA________")
			if bmk.Info.ServerModified != 1700005000120 || bmk.Age != 1700010000000-1700005000120 || bmk.Info.DateAdded != 1600000000000*1000 {
				t.Errorf("bookmark times: %+v age %d", bmk.Info, bmk.Age)
			}
		})
	}
	// Read before the last sync, nothing needs merging; with no last sync
	// (no mirror), the user roots and every record do.
	r := load(t, string(rawClear), serverdump.Options{LastSync: 1700009000000})
	if strings.Contains(outline(r.Tree), "*") {
		t.Errorf("records older than the last sync need merging:\n%s", outline(r.Tree))
	}
	r = load(t, string(rawClear), serverdump.Options{})
	if n := strings.Count(outline(r.Tree), "*"); n != 8 {
		t.Errorf("first sync: %d items need merging, want 8:\n%s", n, outline(r.Tree))
	}
}

// encryptedDump writes the test records encrypted (dumptest.EncryptDump)
// and returns the dump's records, the key file and crypto/keys.
func encryptedDump(t *testing.T) (bsos []map[string]any, key, cryptoKeys []byte) {
	t.Helper()
	var recs []dumptest.ServerRecord
	for _, c := range cleartexts {
		ct, err := record.Parse(c)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := ct.Get("id")
		var s string
		json.Unmarshal(id.(json.RawMessage), &s)
		recs = append(recs, dumptest.ServerRecord{ID: s, Modified: 1700005000120, Cleartext: ct})
	}
	dump, keyFile, ck, err := dumptest.EncryptDump(t.TempDir(), recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(readFile(t, dump), &bsos); err != nil {
		t.Fatal(err)
	}
	return bsos, readFile(t, keyFile), readFile(t, ck)
}

func TestEncrypted(t *testing.T) {
	bsos, key, ck := encryptedDump(t)
	data, _ := json.Marshal(bsos)
	r := load(t, string(data), serverdump.Options{Keys: serverdump.Keys{Key: key, CryptoKeys: ck}, LastSync: 1700000000000})
	if got := outline(r.Tree); got != wantOutline {
		t.Errorf("tree:\n%s\nwant:\n%s", got, wantOutline)
	}
	// The same with kSync as base64url, and as a JWK; crypto/keys in an
	// array as GET /storage/crypto?full=1 returns it.
	kB, _ := hex.DecodeString(dumptest.DumpKB)
	sk, _ := crypt.FromKB(kB)
	kSync := base64.RawURLEncoding.EncodeToString(append(sk.Enc[:], sk.MAC[:]...))
	for _, k := range []string{kSync, `{"kty":"oct","k":"` + kSync + `","kid":"1-x"}`} {
		load(t, string(data), serverdump.Options{Keys: serverdump.Keys{Key: []byte(k), CryptoKeys: []byte("[" + string(ck) + "]")}})
	}
}

// TestFFSClientRaw: ffsclient list bookmarks --raw, decrypted with the
// bulk keys of its session file.
func TestFFSClientRaw(t *testing.T) {
	bsos, key, ck := encryptedDump(t)
	kB, _ := hex.DecodeString(dumptest.DumpKB)
	sk, _ := crypt.FromKB(kB)
	var keysBSO struct{ Payload string }
	json.Unmarshal(ck, &keysBSO)
	p, _, _ := crypt.ParsePayload(keysBSO.Payload)
	keys, err := crypt.DecryptCryptoKeys(sk, p)
	if err != nil {
		t.Fatal(err)
	}
	bm := keys.For("bookmarks")
	session := fmt.Sprintf(`{"sessionToken":"00","keyA":"00","keyB":"%s","userID":"u","hawk":{"bulkKeys":{"bookmarks":["%x","%x"]}}}`, dumptest.DumpKB, bm.Enc, bm.MAC)
	for _, b := range bsos {
		b["modified_unix"] = b["modified"]
		b["modified"] = "2023-11-14T23:36:40.12Z"
	}
	data, _ := json.Marshal(bsos)
	r := load(t, string(data), serverdump.Options{Keys: serverdump.Keys{Key: []byte(session)}, LastSync: 1700000000000})
	if got := outline(r.Tree); got != wantOutline || r.Provenance.Kind != serverdump.FFSClient {
		t.Errorf("%s tree:\n%s", r.Provenance.Kind, got)
	}
	// The session's keyB opens crypto/keys as well.
	load(t, string(data), serverdump.Options{Keys: serverdump.Keys{Key: []byte(session), CryptoKeys: ck}})
	load(t, string(data), serverdump.Options{Keys: serverdump.Keys{Key: key, CryptoKeys: ck}})
}

// TestErrors: every way a dump fails is one clear line, and a wrong key
// never yields records.
func TestErrors(t *testing.T) {
	bsos, key, ck := encryptedDump(t)
	edit := func(i int, f func(p *crypt.Payload)) string {
		cp := make([]map[string]any, len(bsos))
		for j := range bsos {
			cp[j] = map[string]any{"id": bsos[j]["id"], "modified": bsos[j]["modified"], "payload": bsos[j]["payload"]}
		}
		p, _, _ := crypt.ParsePayload(cp[i]["payload"].(string))
		f(&p)
		b, _ := json.Marshal(p)
		cp[i]["payload"] = string(b)
		out, _ := json.Marshal(cp)
		return string(out)
	}
	good, _ := json.Marshal(bsos)
	bookmarksKey := func() crypt.KeyBundle {
		kB, _ := hex.DecodeString(dumptest.DumpKB)
		sk, _ := crypt.FromKB(kB)
		var keysBSO struct{ Payload string }
		json.Unmarshal(ck, &keysBSO)
		p, _, _ := crypt.ParsePayload(keysBSO.Payload)
		keys, _ := crypt.DecryptCryptoKeys(sk, p)
		return keys.For("bookmarks")
	}()
	// resign re-encrypts edited bytes with the right key, so that what
	// fails is the decryption itself.
	resign := func(i int, ct func([]byte) []byte) string {
		return edit(i, func(p *crypt.Payload) {
			raw, _ := base64.StdEncoding.DecodeString(p.Ciphertext)
			p.Ciphertext = base64.StdEncoding.EncodeToString(ct(raw))
			p.HMAC = hmacOf(bookmarksKey, p.Ciphertext)
		})
	}
	otherKey := []byte(strings.Repeat("ab", 32))
	keys := serverdump.Keys{Key: key, CryptoKeys: ck}
	tests := []struct {
		name string
		data string
		keys serverdump.Keys
		is   error
		want string
	}{
		{"wrong kB", string(good), serverdump.Keys{Key: otherKey, CryptoKeys: ck}, crypt.ErrWrongSyncKey, "wrong key: crypto/keys does not verify"},
		{"wrong bulk key", string(good), serverdump.Keys{Key: []byte(`{"hawk":{"bulkKeys":{"default":["` + strings.Repeat("00", 32) + `","` + strings.Repeat("00", 32) + `"]}}}`)}, nil, "wrong key: no record verifies"},
		{"tampered hmac", edit(2, func(p *crypt.Payload) { p.HMAC = strings.Repeat("0", 64) }), keys, crypt.ErrHMAC, `record "bmkA________": HMAC does not verify`},
		{"tampered ciphertext", edit(3, func(p *crypt.Payload) { p.Ciphertext = "A" + p.Ciphertext[1:] }), keys, crypt.ErrHMAC, `record "qryA________": HMAC does not verify`},
		{"truncated ciphertext", resign(1, func(b []byte) []byte { return b[:len(b)-5] }), keys, crypt.ErrTruncated, `record "fldA________": truncated ciphertext`},
		{"bad padding", resign(4, func(b []byte) []byte { return b[:len(b)-16] }), keys, crypt.ErrPadding, `record "sepA________": bad padding`},
		{"no keys", string(good), serverdump.Keys{}, serverdump.ErrNeedKeys, "the records are encrypted: give --key-file"},
		{"no crypto/keys", string(good), serverdump.Keys{Key: key}, nil, "give --crypto-keys FILE"},
		{"key file not a key", string(good), serverdump.Keys{Key: []byte("hunter2"), CryptoKeys: ck}, crypt.ErrKey, "key file: not a Sync key"},
		{"crypto/keys not the keys", string(good), serverdump.Keys{Key: key, CryptoKeys: []byte(`{"id":"other","payload":"{}"}`)}, nil, "crypto keys file: not the crypto/keys record"},
		{"empty", "  ", keys, nil, "the file is empty"},
		{"not JSON", "hello", keys, nil, "neither an about:sync export"},
		{"cut short", string(good[:len(good)/2]), keys, nil, "not a JSON array of records"},
		{"record without id", `[{"modified":1,"payload":"{}"}]`, keys, nil, "record 0 has no id"},
		{"bad time", `[{"id":"a","modified":"yesterday","payload":"{}"}]`, keys, nil, `record "a": modified "yesterday" is not a time`},
		{"export without bookmarks", `{"collections":{}}`, keys, nil, "no collections.bookmarks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := serverdump.Read([]byte(tt.data), serverdump.Options{Keys: tt.keys})
			if err == nil {
				t.Fatalf("read %d records", s.Records())
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("%v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line with %q", err, tt.want)
			}
			for _, secret := range []string{dumptest.DumpKB, string(otherKey)} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the key")
				}
			}
		})
	}
}

// hmacOf signs a payload's base64 text as Firefox does.
func hmacOf(k crypt.KeyBundle, ciphertextB64 string) string {
	m := hmac.New(sha256.New, k.MAC[:])
	m.Write([]byte(ciphertextB64))
	return hex.EncodeToString(m.Sum(nil))
}

// TestStoreRules: the incoming rules of FORMATS §2.4 and §3.4, record by
// record, as the tree shows them.
func TestStoreRules(t *testing.T) {
	long := strings.Repeat("é", 5000)
	tests := []struct {
		name, rec, want string
	}{
		{"bad URL", `{"id":"bmkX________","type":"bookmark","parentid":"menu","title":"x","bmkUri":"not a url"}`, `bmkX________ bookmark "x" * replace`},
		{"no URL", `{"id":"bmkX________","type":"bookmark","parentid":"menu","title":"x"}`, `bmkX________ bookmark "x" * replace`},
		{"folder query", `{"id":"qryX________","type":"query","parentid":"menu","title":"q","bmkUri":"place:folder=5"}`, `qryX________ query "q" <place:folder=5&excludeItems=1> * reupload`},
		{"plain query", `{"id":"qryX________","type":"query","parentid":"menu","title":"q","bmkUri":"place:sort=8&maxResults=10"}`, `qryX________ query "q" <place:sort=8&maxResults=10> *`},
		{"tag query without name", `{"id":"qryX________","type":"query","parentid":"menu","title":"q","bmkUri":"place:type=7&folder=3"}`, `qryX________ query "q" * replace`},
		{"livemark without feed", `{"id":"lvmX________","type":"livemark","parentid":"menu","title":"l"}`, `lvmX________ livemark "l" * replace`},
		{"long title", `{"id":"bmkX________","type":"bookmark","parentid":"menu","title":"` + long + `","bmkUri":"https://a.example/"}`, `bmkX________ bookmark "` + long[:2*4096] + `" <https://a.example/> *`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fmt.Sprintf(`[{"id":"menu","modified":1700005000,"payload":%q},{"id":%q,"modified":1700005000,"payload":%q}]`,
				`{"id":"menu","type":"folder","parentid":"places","children":[`+fmt.Sprintf("%q", idOf(tt.rec))+`]}`, idOf(tt.rec), tt.rec)
			r := load(t, data, serverdump.Options{LastSync: 1})
			if got := outline(r.Tree); !strings.Contains(got, "\n    "+tt.want+"\n") {
				t.Errorf("tree:\n%s\nwant the line %s", got, tt.want)
			}
		})
	}
	// Records Firefox never stores: noted, never in the tree.
	skips := []string{
		`{"id":"places","type":"folder","children":[]}`,
		`{"id":"bmkX________","type":"microsummary","parentid":"menu"}`,
		`{"id":"bmkX________","type":"bookmark","parentid":"pinned","bmkUri":"https://a.example/"}`,
		`{"id":"other_______","type":"bookmark","parentid":"menu","bmkUri":"https://a.example/"}`, // id mismatch
	}
	for _, rec := range skips {
		id := idOf(rec)
		if id == "other_______" {
			id = "bmkY________"
		}
		data := fmt.Sprintf(`[{"id":%q,"modified":1700005000,"payload":%q}]`, id, rec)
		r := load(t, data, serverdump.Options{})
		if len(r.Notes) != 1 || r.Tree.Lookup(id) != nil {
			t.Errorf("%s: notes %q", rec, r.Notes)
		}
	}
}

func idOf(rec string) string {
	var h struct{ ID string }
	json.Unmarshal([]byte(rec), &h)
	return h.ID
}

// FuzzRead: any bytes as a dump, with keys, give a source or one error
// line, never a panic; whatever reads builds a tree.
func FuzzRead(f *testing.F) {
	for _, c := range cleartexts {
		f.Add([]byte(fmt.Sprintf(`[{"id":%q,"modified":1700005000.5,"payload":%q}]`, idOf(c), c)))
	}
	f.Add([]byte(`{"collections":{"bookmarks":{"records":[{"id":"menu","type":"folder","children":["a","a"]}]}}}`))
	f.Add([]byte(`[{"id":"x","modified_unix":1,"data":{"id":"x","type":"separator"}}]`))
	f.Add([]byte(`[{"id":"x","modified":1,"payload":"{\"ciphertext\":\"AAAA\",\"IV\":\"AA==\",\"hmac\":\"00\"}"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := serverdump.Read(data, serverdump.Options{Keys: serverdump.Keys{Key: []byte(dumptest.DumpKB)}, LastSync: 1700000000000})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		r, err := s.Load(clock)
		if err != nil || r.Tree == nil {
			t.Fatalf("load: %v", err)
		}
		if !bytes.Contains(data, []byte("id")) && s.Records() > 0 {
			t.Fatalf("records without ids")
		}
	})
}
