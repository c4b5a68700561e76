// Package replay holds a bench fixture's builder inputs with every record
// already parsed, as dogear-bench replays them, and reads them from the
// fixture. It links the tree package and the standard library only, so
// that the timing harness built on it (internal/mergebench) carries no
// more code than dogear-bench does: testutil, which links SQLite, doubled
// that process's resident memory at 10k.
package replay

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/sync/tree"
)

// Side is one side's builder input with every record already parsed:
// what dogear's benchmark anchor replays (JSON decoding excluded).
type Side struct {
	Root       tree.Item
	Fallback   string
	Items      []tree.Item
	Parents    []Parent
	Tombstones []string
}

// Parent is one parent record.
type Parent struct {
	Child, Parent string
	By            By
}

// By says which builder call a parent record is.
type By uint8

const (
	ByChildren By = iota + 1
	ByParentGUID
	ByStructure
)

// String is the fixtures' name for the record kind, parseBy's input.
func (b By) String() string {
	switch b {
	case ByChildren:
		return "children"
	case ByParentGUID:
		return "parent_guid"
	case ByStructure:
		return "structure"
	}
	return fmt.Sprintf("by(%d)", uint8(b))
}

// parseBy maps a fixture's parent record kind to a builder call.
func parseBy(by string) (By, error) {
	switch by {
	case "children":
		return ByChildren, nil
	case "parent_guid":
		return ByParentGUID, nil
	case "structure":
		return ByStructure, nil
	}
	return 0, fmt.Errorf("unknown parent record kind %q", by)
}

// Build replays the records into a new builder and builds the tree.
func (r *Side) Build() (*tree.Tree, error) {
	b := tree.NewBuilderSized(r.Root, len(r.Items))
	b.ReparentOrphansTo(r.Fallback)
	for _, it := range r.Items {
		if err := addItem(b, it); err != nil {
			return nil, err
		}
	}
	var ahead prefetcher
	child := func(j int) string { return r.Parents[j].Child }
	for k, p := range r.Parents {
		ahead.at(b, k, len(r.Parents), child)
		if err := addParent(b, p.Child, p.Parent, p.By); err != nil {
			return nil, err
		}
	}
	for _, g := range r.Tombstones {
		b.Tombstone(g)
	}
	return b.Build()
}

// prefetcher hands the builder, every tree.PrefetchBatch parent records,
// the children of the next batch, as a reader holding its records would.
type prefetcher struct{ ahead [tree.PrefetchBatch]string }

// at is called before record k of n; child names record j's child.
func (p *prefetcher) at(b *tree.Builder, k, n int, child func(j int) string) {
	if k%len(p.ahead) != 0 {
		return
	}
	m := 0
	for j := k; j < min(k+len(p.ahead), n); j++ {
		p.ahead[m], m = child(j), m+1
	}
	b.Prefetch(p.ahead[:m])
}

// addItem gives the builder one item; a duplicate is the builder's to
// report in the tree, not a failure.
func addItem(b *tree.Builder, it tree.Item) error {
	if err := b.Item(it); err != nil && !tree.IsErrorKind(err, tree.ErrDuplicateItem) {
		return err
	}
	return nil
}

// addParent gives the builder one parent record.
func addParent(b *tree.Builder, child, parent string, by By) error {
	switch by {
	case ByChildren:
		return b.ChildOf(child, parent)
	case ByParentGUID:
		return b.ParentID(child, parent)
	}
	return b.Structure(child, parent)
}

// Sides are both sides of a fixture, compiled.
type Sides struct {
	Local, Remote *Side
}

// Load streams a fixture's two inputs, compiling each record as it
// is read, so only the compact records are ever held (the 100k bench file
// is 125 MB of JSON).
func Load(path string) (*Sides, error) {
	r, err := OpenMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dec := json.NewDecoder(r)
	out := &Sides{}
	err = streamObject(dec, func(key string) error {
		if key != "local" && key != "remote" {
			return skipValue(dec)
		}
		return streamObject(dec, func(key2 string) error {
			if key2 != "input" {
				return skipValue(dec)
			}
			rep, err := streamInput(dec)
			if key == "local" {
				out.Local = rep
			} else {
				out.Remote = rep
			}
			return err
		})
	})
	if err == nil && (out.Local == nil || out.Remote == nil) {
		err = fmt.Errorf("missing local or remote input")
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	return out, nil
}

// streamObject calls fn for each key of the next JSON object; fn must
// consume the key's value.
func streamObject(dec *json.Decoder, fn func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// streamArray decodes the next JSON array one element at a time.
func streamArray[T any](dec *json.Decoder, fn func(*T) error) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

func streamInput(dec *json.Decoder) (*Side, error) {
	rep := &Side{}
	// Every GUID is named by its item and again by one or two parent
	// records; share one string, as parsed records in memory would.
	interned := make(map[string]string)
	intern := func(s string) string {
		if v, ok := interned[s]; ok {
			return v
		}
		interned[s] = s
		return s
	}
	err := streamObject(dec, func(key string) error {
		switch key {
		case "root":
			var it Item
			if err := dec.Decode(&it); err != nil {
				return err
			}
			root, err := it.ToItem()
			rep.Root = root
			return err
		case "reparent_orphans_to":
			var g *string
			if err := dec.Decode(&g); err != nil {
				return err
			}
			if g != nil {
				rep.Fallback = *g
			}
			return nil
		case "items":
			return streamArray(dec, func(fi *Item) error {
				it, err := fi.ToItem()
				it.GUID = intern(it.GUID)
				rep.Items = append(rep.Items, it)
				return err
			})
		case "parents":
			return streamArray(dec, func(p *ParentRecord) error {
				by, err := parseBy(p.By)
				if err != nil {
					return err
				}
				rep.Parents = append(rep.Parents, Parent{Child: intern(p.Child), Parent: intern(p.Parent), By: by})
				return nil
			})
		case "tombstones":
			return dec.Decode(&rep.Tombstones)
		}
		return skipValue(dec)
	})
	return rep, err
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %v, got %v", d, tok)
	}
	return nil
}

// skipValue consumes one JSON value token by token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// OpenMaybeGzip opens path, transparently gunzipping a .gz file.
func OpenMaybeGzip(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if filepath.Ext(path) != ".gz" {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}
