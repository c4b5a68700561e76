// Package record is the Sync vocabulary of what goes to the server: a
// bookmark record's cleartext with its keys in Firefox's order, the record
// ids of the roots, and an outgoing record as Firefox stages it. apply
// produces them; the JSON output and the screens show them.
package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
	return c.AppendJSON(nil)
}

// AppendJSON appends the cleartext as MarshalJSON writes it, and as
// json.Marshal then prints it (compact, HTML characters escaped). The
// value types apply builds (strings, integers, booleans, string lists)
// are written here; any other goes through encoding/json. A first sync
// writes 41,000 records, and reflection cost more than the rest.
func (c Cleartext) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, f := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, f.Value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// AppendJSON appends r as json.Marshal writes it.
func (r Outgoing) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, r.ID)
	b = append(b, `,"counter":`...)
	b = strconv.AppendInt(b, r.Counter, 10)
	b = append(b, `,"tombstone":`...)
	b = strconv.AppendBool(b, r.Tombstone)
	b = append(b, `,"synced":`...)
	b = strconv.AppendBool(b, r.Synced)
	b = append(b, `,"cleartext":`...)
	b, err := r.Cleartext.AppendJSON(b)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return appendJSONString(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	}
	js, err := json.Marshal(v)
	return append(b, js...), err
}

// appendJSONString writes s directly when every byte is printable ASCII
// that encoding/json leaves alone, and through encoding/json otherwise
// (its escapes: HTML characters, control characters, invalid UTF-8,
// U+2028 and U+2029).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			js, _ := json.Marshal(s) // a string always marshals
			return append(b, js...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
