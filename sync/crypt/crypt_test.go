package crypt

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func bundleHex(t testing.TB, enc, mac string) KeyBundle {
	var k KeyBundle
	copy(k.Enc[:], unhex(t, enc))
	copy(k.MAC[:], unhex(t, mac))
	return k
}

// The FORMATS §4.5 vectors.
const (
	v3KB    = "85c4f8c1d8e3e2186824c127af786891dd03c6e05b1b45f28f7181211bf2affb"
	v3KSync = "d63eb2610f1e5edc21b37fed22b93b0f9ea379840fb5c3c5eb95991b9b3bfab6" +
		"9cbabfda0762bdf0b27431d81960c8cf5dab7d482901213a5a1b003eb0081ed0"
	v3DefaultEnc = "fd72aed868237d07ebaa8209390c5d0643bef9ab717b4c4ee82ddf25a7806e68"
	v3DefaultMAC = "7157a13734897746039f725a3f3eda972b8eb835b5887982ce524c66a25d7d37"
)

var v3Keys = Payload{
	Ciphertext: "PP5yNUYwJJoLcsL5o85i6RZfvanYDrwtChDD/LdKTZ8JOLubZ9DyRv3HMetSkbhL3HLvVm/FJ1Z4F2Z6IKQCxAc5dNnLsBIUUxhOHLbT0x9/jfnqZ8fLtlbkogI3ZlNvbc8iUF1aX+boe0Pv43vM0VvzxrnJDYzZ2a6jm9nbzUn0ldV9sv6vuvGHE6dANnRkZ3wA/q0q8UvjdwpzXBixAw==",
	IV:         "FmosM+XBNy81/9oEAgI4Uw==",
	HMAC:       "01a816e4577c6cf3f97b66b4382d0a3e7e9178c75a3d38ed9ac8ad6397c2ecce",
}

var v3History = Payload{
	Ciphertext: "o/VpkqMj1tlT8t2youwsS2FgvQeonoHxqjGsRTu1+4swfyBq/QsnKfgOOMmDIXZiPC3hOCNUlf/NtQiEe55hzJZEKLBshaLfXotai6KrprwrmykfiXnwn73n+nYNs8BXL5awDHoaJToyFgF4PYokl7mwN7YC2xFiPgwO7Z2u/8r5RfnPV9MoafqvlvUkW+Tqs+QHeHS/iuSA0P2h/j5ynt9v4xDWLVfEMce0KOKHQ5Qj7BmEPAieWP1trkkDmTdVi2euWrs+fuG4C6PgY4A2j2DbNLVIloqpDVkqM2fgh0YOM9L2NC/uiKEb1Ynr2Fos",
	IV:         "kXL3hb11ltD+Jl0YFk+PlQ==",
	HMAC:       "cb727efe7a3f0307921cecbd1a97c03f06a4d75c42026089494d84fcf92dbff9",
}

const v3HistoryCleartext = `{"id":"_9sCUbahs0ay","histUri":"https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Object/proto","title":"Object.prototype.__proto__ - JavaScript | MDN","visits":[{"date":1439366063808983,"type":1}]}`

func TestHKDFVector(t *testing.T) { // V1
	ikm := unhex(t, "c71aa7cbd8b82a8ff6eda55c39479fd2")
	prk, err := hkdf.Extract(sha256.New, ikm, make([]byte, 32))
	if err != nil || hex.EncodeToString(prk) != "89925e544da1434db1e7c9a59224a7033940c14c9321fb2a14c8ee1c37ae8d80" {
		t.Fatalf("PRK %x (%v)", prk, err)
	}
	okm, err := hkdf.Key(sha256.New, ikm, nil, oldsyncInfo, 64)
	want := "36ae05317f08eaa6f12c72633d6f9a1162cbbf9300a6728730db48643af73342" +
		"a65574d6685dbf65a735912d272ee1ebe98c867428fb54616deae7bb7bc23dcc"
	if err != nil || hex.EncodeToString(okm) != want {
		t.Fatalf("OKM %x (%v)", okm, err)
	}
}

func TestKeyText(t *testing.T) {
	v2, err := base64.RawURLEncoding.DecodeString("fwM5VZu0Spf5XcFRZYX2zk6MrqZP7zvovCBcvuKwgYMif3hz98FHmIVa3qjKjrW0J244Zj-P5oWaOcQbvypmpw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []byte // kSync
	}{
		{"V2 kB hex", "2ee722fdd8ccaa721bdeb2d1b76560efef705b04349d9357c3e592cf4906e075", v2},
		{"V2 kSync base64url", "fwM5VZu0Spf5XcFRZYX2zk6MrqZP7zvovCBcvuKwgYMif3hz98FHmIVa3qjKjrW0J244Zj-P5oWaOcQbvypmpw\n", v2},
		{"V3 kB hex", "  " + v3KB + "\n", unhex(t, v3KSync)},
		{"V3 kB upper hex", strings.ToUpper(v3KB), unhex(t, v3KSync)},
		{"V3 kSync padded", base64.URLEncoding.EncodeToString(unhex(t, v3KSync)), unhex(t, v3KSync)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(k.Enc[:], k.MAC[:]...); hex.EncodeToString(got) != hex.EncodeToString(tt.want) {
				t.Errorf("kSync %x, want %x", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "abc", v3KB[:62], strings.Repeat("z", 64), base64.RawURLEncoding.EncodeToString(make([]byte, 63))} {
		if _, err := ParseKey(bad); !errors.Is(err, ErrKey) {
			t.Errorf("ParseKey(%q) = %v, want ErrKey", bad, err)
		}
	}
}

func TestFullChain(t *testing.T) { // V3
	syncKey, err := FromKB(unhex(t, v3KB))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(append(syncKey.Enc[:], syncKey.MAC[:]...)); got != v3KSync {
		t.Fatalf("kSync %s", got)
	}
	keys, err := DecryptCryptoKeys(syncKey, v3Keys)
	if err != nil {
		t.Fatal(err)
	}
	if keys.Default != bundleHex(t, v3DefaultEnc, v3DefaultMAC) || len(keys.Collections) != 0 {
		t.Fatalf("default bundle or collections wrong: %d collections", len(keys.Collections))
	}
	pt, err := keys.For("history").Decrypt(v3History)
	if err != nil || string(pt) != v3HistoryCleartext {
		t.Fatalf("history record: %s (%v)", pt, err)
	}
}

func TestDecryptVectors(t *testing.T) {
	tests := []struct {
		name  string
		key   KeyBundle
		p     Payload
		plain string
	}{
		{"V3 history", bundleHex(t, v3DefaultEnc, v3DefaultMAC), v3History, v3HistoryCleartext},
		{"V4 docs", bundleHex(t, "d3af449d2dc4b432b8cb5b59d40c8a5fe53b584b16469f5b44828b756ffb6a81", "2c5d98092d500a048d09fd01090bd0d3a4861fc8ea2438bd74a8f43be6f47f02"),
			Payload{Ciphertext: "wcgqzENt5iXt9/7KPJ3rTA==", IV: base64.StdEncoding.EncodeToString(unhex(t, "375a12d6de4ef26b735f6fccfbafff2d")), HMAC: "b5d1479ae2019663d6572b8e8a734e5f06c1602a0cd0becb87ca81501a08fa55"},
			"SECRET MESSAGE"},
		{"V5 key_bundle.rs", v5Key(t), v5Payload, v5Plain},
		{"V6 bookmark", bundleHex(t, v3DefaultEnc, v3DefaultMAC), v6Payload, v6Plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.key.Decrypt(tt.p)
			if err != nil || string(pt) != tt.plain {
				t.Fatalf("decrypt: %q (%v)", pt, err)
			}
			iv, _ := base64.StdEncoding.DecodeString(tt.p.IV)
			again, err := tt.key.Encrypt(pt, iv)
			if err != nil || again != tt.p {
				t.Fatalf("encrypt with the same IV: %+v (%v), want %+v", again, err, tt.p)
			}
			// An upper-case hmac verifies too (hex is case-insensitive).
			up := tt.p
			up.HMAC = strings.ToUpper(up.HMAC)
			if _, err := tt.key.Decrypt(up); err != nil {
				t.Errorf("upper-case hmac: %v", err)
			}
		})
	}
}

func v5Key(t testing.TB) KeyBundle {
	k, err := BundleFromBase64([]string{"9K/wLdXdw+nrTtXo4ZpECyHFNr4d7aYHqeg3KW9+m6Q=", "MMntEfutgLTc8FlTLQFms8/xMPmCldqPlq/QQXEjx70="})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var v5Payload = Payload{
	Ciphertext: "NMsdnRulLwQsVcwxKW9XwaUe7ouJk5Wn80QhbD80l0HEcZGCynh45qIbeYBik0lgcHbKmlIxTJNwU+OeqipN+/j7MqhjKOGIlvbpiPQQLC6/ffF2vbzL0nzMUuSyvaQzyGGkSYM2xUFt06aNivoQTvU2GgGmUK6MvadoY38hhW2LCMkoZcNfgCqJ26lO1O0sEO6zHsk3IVz6vsKiJ2Hq6VCo7hu123wNegmujHWQSGyf8JeudZjKzfi0OFRRvvm4QAKyBWf0MgrW1F8SFDnVfkq8amCB7NhdwhgLWbN+21NitNwWYknoEWe1m6hmGZDgDT32uxzWxCV8QqqrpH/ZggViEr9uMgoy4lYaWqP7G5WKvvechc62aqnsNEYhH26A5QgzmlNyvB+KPFvPsYzxDnSCjOoRSLx7GG86wT59QZw=",
	IV:         "GX8L37AAb2FZJMzIoXlX8w==",
	HMAC:       "b1e6c18ac30deb70236bc0d65a46f7a4dce3b8b0e02cf92182b914e3afa5eebc",
}

const v5Plain = `{"id":"5qRsgXWRJZXr","histUri":"file:///Users/jason/Library/Application%20Support/Firefox/Profiles/ksgd7wpk.LocalSyncServer/weave/logs/","title":"Index of file:///Users/jason/Library/Application Support/Firefox/Profiles/ksgd7wpk.LocalSyncServer/weave/logs/","visits":[{"date":1319149012372425,"type":1}]}`

var v6Payload = Payload{
	Ciphertext: "IbWIgXN6PmaJw7hZxt9oH9Vj4fhsOHWKRD5iUolJOTvcqEmyUxm2g0eQl7HXtdDW9iajTQ4uxQ0arwcHl1yLqeEMr0d2/Hviez1i50ypFHPbkUYmx7Wj3+apnlBKzV2za1PfCX5fpAtLputXJ3fQEdKdDASsQtcAyHSWoBx2yUrgJDlq+QBhEZp1/iB0L8PTKg+jJqwuRzwTqsLV3SY3drkDFxqa6RWa54uvTmt8NWE=",
	IV:         "AAECAwQFBgcICQoLDA0ODw==",
	HMAC:       "ec3b3f3e13648e4e33f8cf0d44a6824456c73932187fc12062dd1198214215a4",
}

const v6Plain = `{"id":"abcdefghijkl","type":"bookmark","parentid":"toolbar","hasDupe":true,"parentName":"toolbar","dateAdded":1700000000000,"bmkUri":"https://example.com/","title":"Example"}`

// TestDecryptErrors: each way a payload fails is its own error, and none
// returns text.
func TestDecryptErrors(t *testing.T) {
	key := bundleHex(t, v3DefaultEnc, v3DefaultMAC)
	other := key
	other.MAC[0] ^= 1
	sign := func(p Payload) Payload { return resign(key, p) }
	ct, _ := base64.StdEncoding.DecodeString(v6Payload.Ciphertext)
	tests := []struct {
		name string
		key  KeyBundle
		p    Payload
		want error
	}{
		{"wrong key", other, v6Payload, ErrHMAC},
		{"tampered hmac", key, withHMAC(v6Payload, flipHex(v6Payload.HMAC)), ErrHMAC},
		{"tampered ciphertext", key, Payload{Ciphertext: "J" + v6Payload.Ciphertext[1:], IV: v6Payload.IV, HMAC: v6Payload.HMAC}, ErrHMAC},
		{"truncated ciphertext", key, sign(Payload{Ciphertext: base64.StdEncoding.EncodeToString(ct[:len(ct)-3]), IV: v6Payload.IV}), ErrTruncated},
		{"empty ciphertext", key, sign(Payload{Ciphertext: "", IV: v6Payload.IV}), ErrTruncated},
		{"bad padding", key, sign(Payload{Ciphertext: base64.StdEncoding.EncodeToString(ct[:len(ct)-16]), IV: v6Payload.IV}), ErrPadding},
		{"short hmac", key, withHMAC(v6Payload, v6Payload.HMAC[:40]), ErrPayload},
		{"hmac not hex", key, withHMAC(v6Payload, strings.Repeat("g", 64)), ErrPayload},
		{"bad IV", key, sign(Payload{Ciphertext: v6Payload.Ciphertext, IV: "AAEC"}), ErrPayload},
		{"ciphertext not base64", key, sign(Payload{Ciphertext: "!!!!", IV: v6Payload.IV}), ErrPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.key.Decrypt(tt.p)
			if !errors.Is(err, tt.want) || pt != nil {
				t.Fatalf("got %q, %v; want %v", pt, err, tt.want)
			}
			for _, other := range []error{ErrHMAC, ErrTruncated, ErrPadding, ErrPayload} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("%v is also %v", err, other)
				}
			}
		})
	}
}

// resign computes the HMAC of an edited payload, as an attacker holding
// the key could: what is left to fail is the decryption itself.
func resign(k KeyBundle, p Payload) Payload {
	p.HMAC = hex.EncodeToString(k.mac(p.Ciphertext))
	return p
}

func withHMAC(p Payload, h string) Payload { p.HMAC = h; return p }

func flipHex(h string) string {
	b := []byte(h)
	if b[0] == '0' {
		b[0] = '1'
	} else {
		b[0] = '0'
	}
	return string(b)
}

func TestCryptoKeysErrors(t *testing.T) {
	wrong, err := ParseKey(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptCryptoKeys(wrong, v3Keys); !errors.Is(err, ErrWrongSyncKey) {
		t.Fatalf("wrong kB: %v", err)
	}
	if strings.Contains(ErrWrongSyncKey.Error(), "\n") {
		t.Error("the wrong-key error is more than one line")
	}
	for _, bad := range []string{`[]`, `{"id":"keys","default":["AA=="]}`, `{"id":"keys","default":["` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"]}`, `{"id":"other","default":[]}`} {
		if _, err := ParseCryptoKeys([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	z := base64.StdEncoding.EncodeToString(make([]byte, 32))
	o := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x01", 32)))
	ck, err := ParseCryptoKeys([]byte(`{"id":"keys","collection":"crypto","default":["` + z + `","` + z + `"],"collections":{"bookmarks":["` + o + `","` + o + `"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ck.For("bookmarks").Enc[0] != 1 || ck.For("history").Enc[0] != 0 {
		t.Error("For does not prefer the collection's own key")
	}
}

func TestKeyBundleHidesKeys(t *testing.T) {
	k := bundleHex(t, v3DefaultEnc, v3DefaultMAC)
	for _, s := range []string{k.String(), k.GoString()} {
		if strings.Contains(s, "fd") || strings.Contains(s, "253") {
			t.Errorf("printed bundle shows key bytes: %s", s)
		}
	}
}

func TestParsePayload(t *testing.T) {
	p, enc, err := ParsePayload(`{"ciphertext":"a","IV":"b","hmac":"c"}`)
	if err != nil || !enc || p != (Payload{"a", "b", "c"}) {
		t.Fatalf("%+v %v %v", p, enc, err)
	}
	if _, enc, err := ParsePayload(`{"id":"x","type":"folder"}`); err != nil || enc {
		t.Fatalf("cleartext payload: %v %v", enc, err)
	}
	for _, bad := range []string{`x`, `{"ciphertext":"a","IV":"b"}`, `{"ciphertext":1,"IV":"b","hmac":"c"}`} {
		if _, _, err := ParsePayload(bad); !errors.Is(err, ErrPayload) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// FuzzDecrypt: any payload string either fails with one of the package's
// errors or decrypts to text that encrypts back to the same ciphertext.
func FuzzDecrypt(f *testing.F) {
	f.Add(`{"ciphertext":"` + v6Payload.Ciphertext + `","IV":"` + v6Payload.IV + `","hmac":"` + v6Payload.HMAC + `"}`)
	f.Add(`{"ciphertext":"","IV":"","hmac":""}`)
	f.Add(`{"id":"x"}`)
	key := bundleHex(f, v3DefaultEnc, v3DefaultMAC)
	f.Fuzz(func(t *testing.T, s string) {
		p, enc, err := ParsePayload(s)
		if err != nil || !enc {
			return
		}
		for _, p := range []Payload{p, resign(key, p)} {
			pt, err := key.Decrypt(p)
			if err != nil {
				if !errors.Is(err, ErrHMAC) && !errors.Is(err, ErrPayload) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrPadding) {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			iv, _ := base64.StdEncoding.DecodeString(p.IV)
			again, err := key.Encrypt(pt, iv)
			if err != nil {
				t.Fatal(err)
			}
			ct1, _ := base64.StdEncoding.DecodeString(p.Ciphertext)
			ct2, _ := base64.StdEncoding.DecodeString(again.Ciphertext)
			if hex.EncodeToString(ct1) != hex.EncodeToString(ct2) {
				t.Fatalf("round trip differs")
			}
		}
	})
}

// TestOpenerReuse: one Opener decrypts payload after payload, failures
// in between leaving no state behind.
func TestOpenerReuse(t *testing.T) {
	o := bundleHex(t, v3DefaultEnc, v3DefaultMAC).Opener()
	for i, tt := range []struct {
		p    Payload
		want string
		err  error
	}{
		{v3History, v3HistoryCleartext, nil},
		{withHMAC(v6Payload, flipHex(v6Payload.HMAC)), "", ErrHMAC},
		{v6Payload, v6Plain, nil},
		{v6Payload, v6Plain, nil},
	} {
		pt, err := o.Decrypt(tt.p)
		if !errors.Is(err, tt.err) || string(pt) != tt.want {
			t.Errorf("payload %d: %q, %v", i, pt, err)
		}
	}
}
