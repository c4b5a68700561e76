package serverdump

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/crypt"
)

// Kinds of dump, as source kinds.
const (
	AboutSync     = source.AboutSync
	FFSClient     = source.FFSClient
	ServerRecords = source.ServerRecords
)

// Keys are what decrypts raw records, as the user gave them: the text of
// the key file and of the crypto/keys record. Neither is ever logged or
// put into an error.
type Keys struct {
	// Key is kB (64 hex digits), kSync (base64url), a JWK holding kSync
	// in "k", or an ffsclient session file (keyB, and its bulkKeys).
	Key []byte
	// CryptoKeys is the crypto/keys BSO ({"id":"keys","payload":…}), or
	// a JSON array holding it, as GET /storage/crypto?full=1 returns.
	CryptoKeys []byte
}

// ErrNeedKeys: the records are encrypted and no key was given.
var ErrNeedKeys = errors.New("the records are encrypted: give --key-file FILE (kB or kSync) and --crypto-keys FILE (the crypto/keys record)")

// bso is one element of a JSON array of records: a raw BSO as the storage
// API returns it, or what ffsclient prints (--raw: payload; --decoded:
// data; with modified as RFC 3339 text and modified_unix as seconds).
type bso struct {
	ID           string          `json:"id"`
	Modified     json.RawMessage `json:"modified"`
	ModifiedUnix json.RawMessage `json:"modified_unix"`
	Payload      json.RawMessage `json:"payload"`
	Data         json.RawMessage `json:"data"`
}

var bsoKeys = []string{"id", "modified", "modified_unix", "payload", "data"}

// readFlat is json.Unmarshal(elem, b) for a compact BSO (flatObject),
// false when it cannot vouch for giving the same.
func (b *bso) readFlat(elem []byte) bool {
	var vals [5]json.RawMessage
	if !flatObject(elem, bsoKeys, vals[:]) {
		return false
	}
	if vals[0] != nil {
		id, ok := plainString(vals[0])
		if !ok {
			return false
		}
		b.ID = id
	}
	b.Modified, b.ModifiedUnix, b.Payload, b.Data = vals[1], vals[2], vals[3], vals[4]
	return true
}

// raw is a record as read from the file: either decrypted already or
// still an encrypted payload.
type raw struct {
	id        string
	modified  int64
	cleartext []byte
	payload   *crypt.Payload
}

// parse reads a dump: it recognizes the kind by its shape and returns
// its records, to be read by readRecord (an array's elements) or already
// read (an about:sync export), and notes.
func parse(data []byte) (kind source.Kind, elems [][]byte, recs []raw, notes []string, err error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return "", nil, nil, nil, errors.New("the file is empty")
	case trimmed[0] == '{':
		recs, notes, err := parseAboutSync(trimmed)
		return AboutSync, nil, recs, notes, err
	case trimmed[0] == '[':
		if elems, err = splitArray(trimmed); err != nil {
			return "", nil, nil, nil, fmt.Errorf("not a JSON array of records: %v", err)
		}
		kind := ServerRecords
		if len(elems) > 0 {
			var first bso
			if json.Unmarshal(elems[0], &first) == nil && (len(first.ModifiedUnix) > 0 || len(first.Data) > 0) {
				kind = FFSClient
			}
		}
		return kind, elems, nil, nil, nil
	}
	return "", nil, nil, nil, errors.New("neither an about:sync export (a JSON object) nor a JSON array of records")
}

// readRecord reads one element of an array of records: a BSO, or what
// ffsclient prints for one.
func readRecord(i int, elem []byte) (raw, error) {
	var b bso
	if !b.readFlat(elem) {
		if err := json.Unmarshal(elem, &b); err != nil {
			return raw{}, fmt.Errorf("record %d: %s", i, jsonErr(err))
		}
	}
	if b.ID == "" {
		return raw{}, fmt.Errorf("record %d has no id", i)
	}
	r := raw{id: b.ID}
	var err error
	if len(b.ModifiedUnix) > 0 {
		r.modified, err = seconds(b.ModifiedUnix)
	} else {
		r.modified, err = serverTime(b.Modified)
	}
	if err != nil {
		return raw{}, fmt.Errorf("record %q: %v", b.ID, err)
	}
	switch {
	case len(b.Data) > 0:
		r.cleartext, err = stringOrObject(b.Data)
	case len(b.Payload) > 0:
		if p, ok := fastPayload(b.Payload); ok {
			r.payload = &p
			break
		}
		var text []byte
		if text, err = stringOrObject(b.Payload); err == nil {
			r.cleartext, r.payload, err = payload(text)
		}
	default:
		err = errors.New("no payload")
	}
	if err != nil {
		return raw{}, fmt.Errorf("record %q: %v", b.ID, err)
	}
	return r, nil
}

// parseAboutSync reads the about:sync add-on's "Export to file…" JSON:
//
//	{"infos": {"collections": [{"name": "bookmarks", "lastModified": "<ISO date>", …}, …], …},
//	 "collections": {"bookmarks": {"response": {"records": [<raw records>], …},
//	                               "records": [<decrypted cleartexts>]}, …},
//	 "bookmarksTree": <the local tree, not read here>}
//
// The cleartexts are the records; each one's server time comes from the
// raw record of the same id ({"id","modified",…}, or the same under
// "data"), else from the collection's lastModified, with a note.
func parseAboutSync(data []byte) ([]raw, []string, error) {
	var ex struct {
		Infos struct {
			Collections []struct {
				Name         string `json:"name"`
				LastModified string `json:"lastModified"`
			} `json:"collections"`
		} `json:"infos"`
		Collections map[string]struct {
			Response struct {
				Records []json.RawMessage `json:"records"`
			} `json:"response"`
			Records []json.RawMessage `json:"records"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		return nil, nil, fmt.Errorf("not an about:sync export: %v", jsonErr(err))
	}
	coll, ok := ex.Collections["bookmarks"]
	if !ok {
		return nil, nil, errors.New("not an about:sync export with bookmarks (no collections.bookmarks)")
	}
	var collModified int64
	for _, c := range ex.Infos.Collections {
		if t, err := time.Parse(time.RFC3339Nano, c.LastModified); c.Name == "bookmarks" && err == nil {
			collModified = t.UnixMilli()
		}
	}
	times := make(map[string]int64, len(coll.Response.Records))
	for _, r := range coll.Response.Records {
		var env struct {
			ID       string          `json:"id"`
			Modified json.RawMessage `json:"modified"`
			Data     *struct {
				ID       string          `json:"id"`
				Modified json.RawMessage `json:"modified"`
			} `json:"data"`
		}
		if json.Unmarshal(r, &env) != nil {
			continue
		}
		if env.Data != nil && env.ID == "" {
			env.ID, env.Modified = env.Data.ID, env.Data.Modified
		}
		if ms, err := serverTime(env.Modified); err == nil && env.ID != "" {
			times[env.ID] = ms
		}
	}
	var notes []string
	untimed := 0
	recs := make([]raw, 0, len(coll.Records))
	for i, c := range coll.Records {
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(c, &head); err != nil || head.ID == "" {
			return nil, nil, fmt.Errorf("collections.bookmarks.records[%d] is not a record with an id", i)
		}
		ms, ok := times[head.ID]
		if !ok {
			ms, untimed = collModified, untimed+1
		}
		recs = append(recs, raw{id: head.ID, modified: ms, cleartext: c})
	}
	if untimed > 0 {
		notes = append(notes, fmt.Sprintf("%d records have no server time in the export; the collection's last change is used", untimed))
	}
	return recs, notes, nil
}

// payload reads a BSO's payload: an encrypted one, or a cleartext record.
func payload(text []byte) ([]byte, *crypt.Payload, error) {
	p, encrypted, err := crypt.ParsePayload(string(text))
	if err != nil {
		return nil, nil, err
	}
	if !encrypted {
		return text, nil, nil
	}
	return nil, &p, nil
}

// stringOrObject is a JSON value holding JSON: a string (as BSOs carry
// their payload) or the object itself (ffsclient --pretty-print).
func stringOrObject(v json.RawMessage) ([]byte, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	if len(v) > 0 && v[0] == '{' {
		return v, nil
	}
	return nil, errors.New("payload is neither a JSON string nor an object")
}

// serverTime reads a BSO's modified: seconds (a number, two decimals), or
// RFC 3339 text. It returns ms, as the mirror stores it: round(x*1000).
func serverTime(v json.RawMessage) (int64, error) {
	if len(v) == 0 || string(v) == "null" {
		return 0, errors.New("no modified time")
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, fmt.Errorf("modified %q is not a time", s)
		}
		return t.UnixMilli(), nil
	}
	return seconds(v)
}

func seconds(v json.RawMessage) (int64, error) {
	var f float64
	var err error
	if end, ok := skipNumber(v, 0); ok && end == len(v) {
		f, err = strconv.ParseFloat(string(v), 64) // what json.Unmarshal does with a number
	} else {
		err = json.Unmarshal(v, &f)
	}
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e12 {
		return 0, fmt.Errorf("modified %s is not seconds since the epoch", v)
	}
	return int64(math.Round(f * 1000)), nil
}

// jsonErr shortens encoding/json's errors to what a person can act on.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s is %s, want %s", strings.TrimPrefix(te.Field, "."), te.Value, te.Type)
	}
	return err.Error()
}

// keyMaterial is what a key file holds.
type keyMaterial struct {
	sync *crypt.KeyBundle      // the Sync key bundle (kB, kSync)
	bulk *crypt.CollectionKeys // collection keys (an ffsclient session's bulkKeys)
}

// readKey reads the key file's text: kB hex, kSync base64url, a JWK with
// "k", or an ffsclient session ({"keyB": hex, "hawk": {"bulkKeys": …}}).
func readKey(text []byte) (keyMaterial, error) {
	t := bytes.TrimSpace(text)
	if len(t) == 0 || t[0] != '{' {
		k, err := crypt.ParseKey(string(t))
		if err != nil {
			return keyMaterial{}, err
		}
		return keyMaterial{sync: &k}, nil
	}
	var f struct {
		K    string `json:"k"`
		KeyB string `json:"keyB"`
		Hawk struct {
			BulkKeys map[string][]string `json:"bulkKeys"`
		} `json:"hawk"`
	}
	if err := json.Unmarshal(t, &f); err != nil {
		return keyMaterial{}, fmt.Errorf("%w: the key file is JSON but not a key (%s)", crypt.ErrKey, jsonErr(err))
	}
	var m keyMaterial
	switch {
	case f.K != "":
		k, err := crypt.ParseKey(f.K)
		if err != nil {
			return m, err
		}
		m.sync = &k
	case f.KeyB != "":
		kB, err := hex.DecodeString(f.KeyB)
		if err != nil {
			return m, fmt.Errorf("%w: keyB is not hex", crypt.ErrKey)
		}
		k, err := crypt.FromKB(kB)
		if err != nil {
			return m, err
		}
		m.sync = &k
	}
	if len(f.Hawk.BulkKeys) > 0 {
		ck := &crypt.CollectionKeys{Collections: map[string]crypt.KeyBundle{}}
		for name, pair := range f.Hawk.BulkKeys {
			k, err := sessionBundle(pair)
			if err != nil {
				return m, fmt.Errorf("bulkKeys %s: %w", name, err)
			}
			switch name {
			case "default", "[default]":
				ck.Default = k
			default:
				ck.Collections[name] = k
			}
		}
		m.bulk = ck
	}
	if m.sync == nil && m.bulk == nil {
		return m, fmt.Errorf("%w: the key file's JSON holds no k, keyB or bulkKeys", crypt.ErrKey)
	}
	return m, nil
}

// sessionBundle reads an ffsclient bulk key pair: hex, as it saves them,
// or base64.
func sessionBundle(pair []string) (crypt.KeyBundle, error) {
	if len(pair) == 2 && len(pair[0]) == 64 && len(pair[1]) == 64 {
		e, err1 := hex.DecodeString(pair[0])
		m, err2 := hex.DecodeString(pair[1])
		if err1 == nil && err2 == nil {
			return crypt.BundleFromBase64([]string{base64.StdEncoding.EncodeToString(e), base64.StdEncoding.EncodeToString(m)})
		}
	}
	return crypt.BundleFromBase64(pair)
}

// readCryptoKeys reads the crypto/keys BSO: the object, or an array that
// holds it (id "keys").
func readCryptoKeys(text []byte) (crypt.Payload, error) {
	t := bytes.TrimSpace(text)
	var one bso
	if len(t) > 0 && t[0] == '[' {
		var list []bso
		if err := json.Unmarshal(t, &list); err != nil {
			return crypt.Payload{}, fmt.Errorf("not the crypto/keys record: %s", jsonErr(err))
		}
		for _, b := range list {
			if b.ID == "keys" {
				one = b
			}
		}
	} else if err := json.Unmarshal(t, &one); err != nil {
		return crypt.Payload{}, fmt.Errorf("not the crypto/keys record: %s", jsonErr(err))
	}
	if one.ID != "keys" || len(one.Payload) == 0 {
		return crypt.Payload{}, errors.New(`not the crypto/keys record (want {"id":"keys","payload":…})`)
	}
	text, err := stringOrObject(one.Payload)
	if err != nil {
		return crypt.Payload{}, err
	}
	p, encrypted, err := crypt.ParsePayload(string(text))
	if err != nil {
		return crypt.Payload{}, fmt.Errorf("crypto/keys: %w", err)
	}
	if !encrypted {
		return crypt.Payload{}, errors.New("crypto/keys: the payload is not encrypted")
	}
	return p, nil
}

// fastPayload reads an encrypted payload string as Firefox writes it,
// "{\"ciphertext\":\"…\",\"IV\":\"…\",\"hmac\":\"…\"}", straight from the
// JSON text, without decoding it twice: most of a 40k dump's reading.
// ok is false for anything else, which the general road reads.
func fastPayload(v json.RawMessage) (crypt.Payload, bool) {
	rest, ok := bytes.CutPrefix(v, []byte(`"{\"ciphertext\":\"`))
	if !ok {
		return crypt.Payload{}, false
	}
	var p crypt.Payload
	for _, f := range []struct {
		dst  *string
		next string
	}{{&p.Ciphertext, `\",\"IV\":\"`}, {&p.IV, `\",\"hmac\":\"`}, {&p.HMAC, `\"}"`}} {
		i := bytes.IndexByte(rest, '\\')
		if i < 0 || !bytes.HasPrefix(rest[i:], []byte(f.next)) {
			return crypt.Payload{}, false
		}
		*f.dst = string(rest[:i])
		rest = rest[i+len(f.next):]
	}
	return p, len(rest) == 0
}
