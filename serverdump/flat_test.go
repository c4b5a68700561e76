package serverdump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// flatCases are records and near-records: what flatObject must read as
// encoding/json does, and what it must leave to encoding/json.
var flatCases = []string{
	`{"id":"menu","type":"folder","parentid":"places","title":"menu","children":["fldA________","sepA________"]}`,
	`{"id":"bmkA________","type":"bookmark","parentid":"fldA________","title":"Ex\"am\u00e9ple \\ /","bmkUri":"HTTPS://Example.COM","keyword":"  KW ","tags":["  b ","a",""],"dateAdded":"1600000000000"}`,
	`{"id":"sepA________","type":"separator","parentid":"menu","pos":1,"hasDupe":false,"x":{"a":[1,-2.5e+3,true,null,{}],"b":[]}}`,
	`{"id":"bmkGone_____","deleted":true}`,
	`{"id":"x","modified":1700000000.25,"payload":"{\"ciphertext\":\"AAAA\",\"IV\":\"AA==\",\"hmac\":\"00\"}","sortindex":100}`,
	`{"id":"x","modified_unix":1,"data":{"id":"x","type":"separator"}}`,
	`{}`, `{"id":null}`, `{"id":7}`, `{"id":"caf\u00e9"}`, "{\"id\":\"caf\xc3\xa9\"}", "{\"id\":\"\xff\"}",
	`{"ID":"a"}`, `{"Title":"a","title":"b"}`, `{"title":"a","title":"b"}`, `{"titl\u0065":"a"}`,
	`{"id":"a" }`, ` {"id":"a"}`, `{"id":"a"}x`, `{"id":"a",}`, `{"id":"a"`, `{"id":01}`, `{"id":1.}`, `{"id":-}`,
	`{"tags":["a",]}`, `{"tags":[,]}`, `{"tags":tru}`, `{"tags":nul}`, `{"tags":"\x"}`, `{"tags":"\u12g4"}`,
	"{\"title\":\"a\tb\"}", `{"children":null}`, `{"children":[]}`, `{"children":{}}`, `{"children":"a"}`,
	`{"dateAdded":1e400}`, `{"dateAdded":-0}`, `{"keyword":[[[[[[]]]]]]}`,
}

// TestFlatObjectAsEncodingJSON: whatever flatObject reads, encoding/json
// reads the same; every record here that it declines still reads.
func TestFlatObjectAsEncodingJSON(t *testing.T) {
	read := 0
	for _, c := range flatCases {
		if checkFlat(t, []byte(c)) {
			read++
		}
	}
	if read < 10 {
		t.Errorf("only %d of %d cases read flat", read, len(flatCases))
	}
}

// TestFlatReadsDumps: the records of a dump as the server and Firefox
// write them all take the fast road (else it would be slow, not wrong).
func TestFlatReadsDumps(t *testing.T) {
	for i, c := range flatCases[:5] {
		var ct cleartext
		if !ct.readFlat([]byte(c)) {
			t.Errorf("case %d not read flat", i)
		}
	}
	elem := []byte(`{"id":"--2Q_4lqmV1S","modified":1700000000,"payload":"{\"ciphertext\":\"qUdm+/==\",\"IV\":\"AAAAAAAAAAAAAAAAAAAAAQ==\",\"hmac\":\"fd48\"}"}`)
	var b bso
	if !b.readFlat(elem) {
		t.Fatal("BSO not read flat")
	}
	r, err := readRecord(0, elem)
	if err != nil || r.payload == nil || r.id != "--2Q_4lqmV1S" || r.modified != 1700000000000 {
		t.Fatalf("readRecord = %+v, %v", r, err)
	}
}

// FuzzFlatObject: flatObject and flatArray never read anything
// otherwise than encoding/json does.
func FuzzFlatObject(f *testing.F) {
	for _, c := range flatCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFlat(t, data) })
}

// checkFlat compares the fast readers with encoding/json on data and
// says whether flatObject read it.
func checkFlat(t *testing.T, data []byte) bool {
	t.Helper()
	var fast, slow cleartext
	ok := fast.readFlat(data)
	if ok {
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("%q: read flat, but encoding/json says %v", data, err)
		}
		if !sameCleartext(fast, slow) {
			t.Fatalf("%q: flat %+v, encoding/json %+v", data, fast, slow)
		}
	}
	var fb, sb bso
	if fb.readFlat(data) {
		if err := json.Unmarshal(data, &sb); err != nil || !reflect.DeepEqual(fmt.Sprint(fb), fmt.Sprint(sb)) {
			t.Fatalf("%q: BSO flat %+v, encoding/json %+v, %v", data, fb, sb, err)
		}
	}
	if list, ok := flatArray(data); ok {
		var want []json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil || len(want) != len(list) {
			t.Fatalf("%q: array flat %q, encoding/json %q, %v", data, list, want, err)
		}
		for i := range want {
			if !bytes.Equal(want[i], list[i]) {
				t.Fatalf("%q: element %d flat %q, encoding/json %q", data, i, list[i], want[i])
			}
		}
	}
	if end, ok := skipValue(data, 0, 0); ok && end == len(data) && !json.Valid(data) {
		t.Fatalf("%q: skipValue takes what is not JSON", data)
	}
	return ok
}

func sameCleartext(a, b cleartext) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if ra, ok := fa.(json.RawMessage); ok {
			rb := fb.(json.RawMessage)
			if (ra == nil) != (rb == nil) || !bytes.Equal(ra, rb) {
				return false
			}
			continue
		}
		if fa != fb {
			return false
		}
	}
	return true
}
