// Package record is the Sync vocabulary of what goes to the server: a
// bookmark record's cleartext with its keys in Firefox's order, the record
// ids of the roots, and an outgoing record as Firefox stages it. apply
// produces them; the JSON output and the screens show them.
package record

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Field is one key of a record cleartext. Cleartexts keep Firefox's key
// order (the order fetchLocalChangeRecords builds the JS object in).
type Field struct {
	Key   string
	Value any
}

// Cleartext is a Sync record's decrypted payload (docs/formats.md#record-cleartexts).
type Cleartext []Field

// Get returns a field's value.
func (c Cleartext) Get(key string) (any, bool) {
	for _, f := range c {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Set sets a field, keeping its place when it exists and adding it last
// otherwise.
func (c *Cleartext) Set(key string, v any) {
	for i := range *c {
		if (*c)[i].Key == key {
			(*c)[i].Value = v
			return
		}
	}
	*c = append(*c, Field{Key: key, Value: v})
}

// MarshalJSON writes the fields in order.
func (c Cleartext) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a cleartext, keeping its key order.
func (c *Cleartext) UnmarshalJSON(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Outgoing is one record Firefox would upload after this apply
// (SyncedBookmarksMirror BookmarkChangeRecord): the change counter it was
// staged with (tombstones 1; 0 marks a "weak" upload), and its cleartext.
type Outgoing struct {
	ID        string    `json:"id"`
	Counter   int64     `json:"counter"`
	Tombstone bool      `json:"tombstone"`
	Synced    bool      `json:"synced"`
	Cleartext Cleartext `json:"cleartext"`
}

// ID is the Sync record id of a Places GUID
// (PlacesSyncUtils.bookmarks.guidToRecordId): roots have names.
func ID(guid string) string {
	switch guid {
	case "root________":
		return "places"
	case "menu________":
		return "menu"
	case "toolbar_____":
		return "toolbar"
	case "unfiled_____":
		return "unfiled"
	case "mobile______":
		return "mobile"
	case "tags________":
		return "tags"
	}
	return guid
}

// GUID is the Places GUID of a Sync record id
// (PlacesSyncUtils.bookmarks.recordIdToGuid), the inverse of ID.
func GUID(id string) string {
	switch id {
	case "places":
		return "root________"
	case "menu":
		return "menu________"
	case "toolbar":
		return "toolbar_____"
	case "unfiled":
		return "unfiled_____"
	case "mobile":
		return "mobile______"
	case "tags":
		return "tags________"
	}
	return id
}

// Parse decodes a cleartext (a JSON object), keeping its key order.
// Numbers stay json.Number.
func Parse(s string) (Cleartext, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var c Cleartext
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		c.Set(kt.(string), v)
	}
	return c, nil
}
