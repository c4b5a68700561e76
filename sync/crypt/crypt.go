// Package crypt is Sync's record encryption (docs/formats.md, FORMATS §4):
// the Sync key bundle derived from kB (or given as the scoped kSync), the
// crypto/keys record that holds the collection keys, and the
// AES-256-CBC + HMAC-SHA256 payloads of every record. It is pure: bytes in,
// bytes out; keys never leave it except as KeyBundle values, and no error
// names a key.
package crypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// The ways a payload can fail. Each is distinct, so a caller can tell a
// wrong key (every record fails ErrHMAC) from one damaged record.
var (
	// ErrHMAC: the HMAC does not verify: the wrong key, or a record
	// changed after it was encrypted. Nothing was decrypted.
	ErrHMAC = errors.New("HMAC does not verify")
	// ErrPayload: the payload is not {"ciphertext","IV","hmac"} with
	// valid base64 and hex.
	ErrPayload = errors.New("malformed encrypted payload")
	// ErrTruncated: the ciphertext is empty or not whole AES blocks.
	ErrTruncated = errors.New("truncated ciphertext")
	// ErrPadding: the decrypted text does not end in PKCS#7 padding.
	ErrPadding = errors.New("bad padding")
	// ErrKey: a key is not 32 bytes, or the key text is neither kB nor kSync.
	ErrKey = errors.New("not a Sync key")
)

// KeyBundle is a pair of 32-byte keys: one encrypts, one signs.
type KeyBundle struct {
	Enc, MAC [32]byte
}

// String hides the keys: a bundle printed by mistake shows nothing secret.
func (KeyBundle) String() string { return "crypt.KeyBundle{…}" }

// GoString hides the keys from %#v as well.
func (k KeyBundle) GoString() string { return k.String() }

// oldsyncInfo is the HKDF info string of the Sync key (FORMATS §4.1).
const oldsyncInfo = "identity.mozilla.com/picl/v1/oldsync"

// FromKB derives the Sync key bundle from kB: HKDF-SHA256 with an empty
// salt, 64 bytes, split enc | mac.
func FromKB(kB []byte) (KeyBundle, error) {
	if len(kB) != 32 {
		return KeyBundle{}, fmt.Errorf("%w: kB has %d bytes, want 32", ErrKey, len(kB))
	}
	okm, err := hkdf.Key(sha256.New, kB, nil, oldsyncInfo, 64)
	if err != nil {
		return KeyBundle{}, err
	}
	return FromKSync(okm)
}

// FromKSync splits the 64-byte kSync (the oldsync scoped key) into a bundle.
func FromKSync(kSync []byte) (KeyBundle, error) {
	if len(kSync) != 64 {
		return KeyBundle{}, fmt.Errorf("%w: kSync has %d bytes, want 64", ErrKey, len(kSync))
	}
	var k KeyBundle
	copy(k.Enc[:], kSync[:32])
	copy(k.MAC[:], kSync[32:])
	return k, nil
}

// ParseKey reads a key as a person pastes it: kB as 64 hex digits, or the
// scoped kSync as base64url (86 characters, padding optional). Spaces and
// line ends around it are ignored.
func ParseKey(text string) (KeyBundle, error) {
	s := strings.TrimSpace(text)
	if len(s) == 64 {
		if kB, err := hex.DecodeString(s); err == nil {
			return FromKB(kB)
		}
	}
	if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")); err == nil && len(b) == 64 {
		return FromKSync(b)
	}
	return KeyBundle{}, fmt.Errorf("%w: want kB as 64 hex digits or kSync as base64url (86 characters)", ErrKey)
}

// BundleFromBase64 reads a [enc, mac] pair as crypto/keys stores it:
// standard base64 with padding, 32 bytes each.
func BundleFromBase64(pair []string) (KeyBundle, error) {
	if len(pair) != 2 {
		return KeyBundle{}, fmt.Errorf("%w: a key pair has %d parts, want 2", ErrKey, len(pair))
	}
	var k KeyBundle
	for i, dst := range []*[32]byte{&k.Enc, &k.MAC} {
		b, err := base64.StdEncoding.DecodeString(pair[i])
		if err != nil || len(b) != 32 {
			return KeyBundle{}, fmt.Errorf("%w: a collection key is not 32 bytes of base64", ErrKey)
		}
		copy(dst[:], b)
	}
	return k, nil
}

// Payload is an encrypted record payload (FORMATS §4.4).
type Payload struct {
	Ciphertext string `json:"ciphertext"`
	IV         string `json:"IV"`
	HMAC       string `json:"hmac"`
}

// ParsePayload reads a BSO's payload string. encrypted is false when the payload
// is JSON without a ciphertext (a cleartext record, as the meta collection
// has).
func ParsePayload(s string) (p Payload, encrypted bool, err error) {
	var f struct {
		Ciphertext *string `json:"ciphertext"`
		IV         *string `json:"IV"`
		HMAC       *string `json:"hmac"`
	}
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Payload{}, true, fmt.Errorf("%w: %q is not a string", ErrPayload, te.Field)
		}
		return Payload{}, false, fmt.Errorf("%w: not a JSON object", ErrPayload)
	}
	if f.Ciphertext == nil {
		return Payload{}, false, nil
	}
	switch {
	case f.IV == nil:
		return Payload{}, true, fmt.Errorf("%w: no %q", ErrPayload, "IV")
	case f.HMAC == nil:
		return Payload{}, true, fmt.Errorf("%w: no %q", ErrPayload, "hmac")
	}
	return Payload{Ciphertext: *f.Ciphertext, IV: *f.IV, HMAC: *f.HMAC}, true, nil
}

// Decrypt verifies the payload's HMAC (in constant time, before anything
// else is done with the ciphertext), decrypts it and strips its padding.
func (k KeyBundle) Decrypt(p Payload) ([]byte, error) { return k.Opener().Decrypt(p) }

// Opener decrypts many payloads with one key, reusing its AES key
// schedule and HMAC state. One goroutine at a time may use it.
type Opener struct {
	block cipher.Block
	mac   hash.Hash
	sum   []byte
}

// Opener prepares the key for decrypting many payloads.
func (k KeyBundle) Opener() *Opener {
	block, err := aes.NewCipher(k.Enc[:])
	if err != nil {
		panic(err) // unreachable: the key is 32 bytes
	}
	return &Opener{block: block, mac: hmac.New(sha256.New, k.MAC[:])}
}

// Decrypt is KeyBundle.Decrypt.
func (o *Opener) Decrypt(p Payload) ([]byte, error) {
	want, err := hex.DecodeString(p.HMAC)
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("%w: hmac is not 64 hex digits", ErrPayload)
	}
	o.mac.Reset()
	o.mac.Write([]byte(p.Ciphertext))
	o.sum = o.mac.Sum(o.sum[:0])
	if !hmac.Equal(o.sum, want) {
		return nil, ErrHMAC
	}
	iv, err := base64.StdEncoding.DecodeString(p.IV)
	if err != nil || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: IV is not 16 bytes of base64", ErrPayload)
	}
	ct, err := base64.StdEncoding.DecodeString(p.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not base64", ErrPayload)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of AES blocks", ErrTruncated, len(ct))
	}
	cipher.NewCBCDecrypter(o.block, iv).CryptBlocks(ct, ct)
	return unpad(ct)
}

// unpad strips PKCS#7 padding: n bytes of value n, 1 ≤ n ≤ 16. The checks
// run after the HMAC verified, so their timing tells nothing new.
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, ErrPadding
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, ErrPadding
		}
	}
	return b[:len(b)-n], nil
}

// Encrypt pads and encrypts plaintext with the given 16-byte IV and signs
// the result, as Firefox does. Callers pass a random IV; tests a fixed one.
func (k KeyBundle) Encrypt(plaintext, iv []byte) (Payload, error) {
	if len(iv) != aes.BlockSize {
		return Payload{}, fmt.Errorf("IV has %d bytes, want %d", len(iv), aes.BlockSize)
	}
	n := aes.BlockSize - len(plaintext)%aes.BlockSize
	padded := append(bytes.Clone(plaintext), bytes.Repeat([]byte{byte(n)}, n)...)
	block, err := aes.NewCipher(k.Enc[:])
	if err != nil {
		return Payload{}, err
	}
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	p := Payload{Ciphertext: base64.StdEncoding.EncodeToString(ct), IV: base64.StdEncoding.EncodeToString(iv)}
	p.HMAC = hex.EncodeToString(k.mac(p.Ciphertext))
	return p, nil
}

// mac is the HMAC of a payload: over the base64 text, not the raw bytes.
func (k KeyBundle) mac(ciphertextB64 string) []byte {
	m := hmac.New(sha256.New, k.MAC[:])
	m.Write([]byte(ciphertextB64))
	return m.Sum(nil)
}

// CollectionKeys is the decrypted crypto/keys record.
type CollectionKeys struct {
	Default     KeyBundle
	Collections map[string]KeyBundle
}

// For is the key of a collection: its own, else the default.
func (c *CollectionKeys) For(collection string) KeyBundle {
	if k, ok := c.Collections[collection]; ok {
		return k
	}
	return c.Default
}

// ErrWrongSyncKey: the crypto/keys record does not verify with the Sync
// key: the key belongs to another account, or the keys were reset since.
var ErrWrongSyncKey = errors.New("wrong key: crypto/keys does not verify with it (another account's key, or keys reset since)")

// DecryptCryptoKeys decrypts the crypto/keys payload with the Sync key
// bundle and reads the collection keys from it.
func DecryptCryptoKeys(syncKey KeyBundle, p Payload) (*CollectionKeys, error) {
	pt, err := syncKey.Decrypt(p)
	if errors.Is(err, ErrHMAC) {
		return nil, ErrWrongSyncKey
	}
	if err != nil {
		return nil, fmt.Errorf("crypto/keys: %w", err)
	}
	return ParseCryptoKeys(pt)
}

// ParseCryptoKeys reads the cleartext of crypto/keys (FORMATS §4.2).
func ParseCryptoKeys(cleartext []byte) (*CollectionKeys, error) {
	var ck struct {
		ID          string              `json:"id"`
		Default     []string            `json:"default"`
		Collections map[string][]string `json:"collections"`
	}
	if err := json.Unmarshal(cleartext, &ck); err != nil {
		return nil, fmt.Errorf("crypto/keys: cleartext is not the keys record: %v", err)
	}
	if ck.ID != "" && ck.ID != "keys" {
		return nil, fmt.Errorf("crypto/keys: record id is %q, want \"keys\"", ck.ID)
	}
	out := &CollectionKeys{Collections: make(map[string]KeyBundle, len(ck.Collections))}
	var err error
	if out.Default, err = BundleFromBase64(ck.Default); err != nil {
		return nil, fmt.Errorf("crypto/keys: default: %w", err)
	}
	for name, pair := range ck.Collections {
		if out.Collections[name], err = BundleFromBase64(pair); err != nil {
			return nil, fmt.Errorf("crypto/keys: %s: %w", name, err)
		}
	}
	return out, nil
}
