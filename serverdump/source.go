// Package serverdump reads a copy of the Sync server's bookmarks, taken
// offline, as a bookmark source: the remote side of a merge, or a tree to
// compare with the mirror. Three kinds of file are read (docs/server-dumps.md):
//
//   - the about:sync add-on's "Export to file…" JSON (decrypted records);
//   - the JSON ffsclient prints: `ffsclient list bookmarks --decoded
//     --format json`, or `--raw` with the keys of its session file;
//   - raw records, a JSON array of BSOs ({"id","modified","payload"}) as
//     GET /storage/bookmarks?full=1 returns them, with their encrypted
//     payloads, decrypted with the crypto/keys record and the user's key.
//
// Every record is stored in memory as Firefox's mirror would store it
// (the incoming rules of FORMATS §2.4) and the remote tree is built from
// those rows by the mirror's own builder (mirror.BuildRemoteTree), so a
// dump and a mirror holding the same records give the same tree.
package serverdump

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/crypt"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a server dump as a bookmark source. It is read whole when
// opened; Load only builds the tree.
type Source struct {
	path      string
	kind      source.Kind
	at        time.Time
	items     []mirror.ItemRow
	structure []mirror.StructureRow
	notes     []string
	records   int
}

var _ source.Reparenter = (*Source)(nil)

// Options say how to read a dump.
type Options struct {
	Keys Keys
	// LastSync is when this profile last synced (the mirror's
	// collection/lastModified), in ms: records changed on the server
	// since then need merging, as if just downloaded; the rest count as
	// merged. 0 reads the dump as a first sync: everything needs merging.
	LastSync int64
}

// Open reads the dump at path, decrypting its records when they are
// encrypted. Errors are one line, starting with the file's name; a wrong
// key is one error, never records of garbage.
func Open(path string, opt Options) (*Source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("server dump: %w", err)
	}
	s, err := Read(data, opt)
	if err != nil {
		return nil, fmt.Errorf("server dump %s: %w", path, err)
	}
	s.path = path
	if fi, err := os.Stat(path); err == nil {
		s.at = fi.ModTime()
	}
	return s, nil
}

// Read is Open on the file's bytes.
func Read(data []byte, opt Options) (*Source, error) {
	kind, elems, raws, notes, err := parse(data)
	if err != nil {
		return nil, err
	}
	if elems != nil {
		raws = make([]raw, len(elems))
		errs := make([]error, len(elems))
		parallel(len(elems), func() func(int) { return func(i int) { raws[i], errs[i] = readRecord(i, elems[i]) } })
		if err := firstError(errs); err != nil {
			return nil, err
		}
	}
	s := &Source{kind: kind, notes: notes, records: len(raws)}
	items, skipped, err := decryptAll(raws, opt.Keys)
	if err != nil {
		return nil, err
	}
	s.notes = append(s.notes, skipped...)
	s.items, s.structure = rows(items, opt.LastSync)
	return s, nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parallel calls a worker for every index below n, on all cores, in
// chunks; newWorker makes each core's worker (with its own state).
func parallel(n int, newWorker func() func(i int)) {
	const chunk = 128
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			fn := newWorker()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}

// decryptAll verifies, decrypts and decodes every record on all cores. It
// fails on the first record that does not decrypt (naming it), or with
// one wrong-key error when none does.
func decryptAll(raws []raw, keys Keys) ([]item, []string, error) {
	var bundle crypt.KeyBundle
	encrypted := 0
	for i := range raws {
		if raws[i].payload != nil {
			encrypted++
		}
	}
	if encrypted > 0 {
		var err error
		if bundle, err = collectionKey(keys); err != nil {
			return nil, nil, err
		}
	}

	items := make([]item, len(raws))
	errs := make([]error, len(raws))
	parallel(len(raws), func() func(int) {
		var open *crypt.Opener
		if encrypted > 0 {
			open = bundle.Opener()
		}
		return func(i int) {
			r := Record{ID: raws[i].id, Modified: raws[i].modified, Cleartext: raws[i].cleartext}
			if p := raws[i].payload; p != nil {
				pt, err := open.Decrypt(*p)
				if err != nil {
					errs[i] = err
					return
				}
				r.Cleartext = pt
			}
			items[i], errs[i] = decode(r)
		}
	})

	var notes []string
	hmacFailures := 0
	var firstErr error
	kept := items[:0]
	for i, err := range errs {
		var skip *skipError
		switch {
		case err == nil:
			kept = append(kept, items[i])
		case errors.As(err, &skip):
			notes = append(notes, fmt.Sprintf("skipped record %s: %s", raws[i].id, skip.reason))
		default:
			err := fmt.Errorf("record %q: %w", raws[i].id, err)
			if errors.Is(err, crypt.ErrHMAC) {
				hmacFailures++
				err = fmt.Errorf("%w: it was changed after it was encrypted (tampered or corrupt), as other records verify", err)
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if encrypted > 0 && hmacFailures == encrypted {
		return nil, nil, errors.New("wrong key: no record verifies with the bookmarks key (the dump belongs to another account, or its keys were reset)")
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return kept, notes, nil
}

// collectionKey finds the bookmarks collection's key: crypto/keys
// decrypted with the Sync key, or an ffsclient session's bulk keys.
func collectionKey(keys Keys) (crypt.KeyBundle, error) {
	if len(keys.Key) == 0 {
		return crypt.KeyBundle{}, ErrNeedKeys
	}
	m, err := readKey(keys.Key)
	if err != nil {
		return crypt.KeyBundle{}, fmt.Errorf("key file: %w", err)
	}
	if len(keys.CryptoKeys) > 0 {
		if m.sync == nil {
			return crypt.KeyBundle{}, fmt.Errorf("%w: the key file holds no kB or kSync to open crypto/keys with", crypt.ErrKey)
		}
		p, err := readCryptoKeys(keys.CryptoKeys)
		if err != nil {
			return crypt.KeyBundle{}, fmt.Errorf("crypto keys file: %w", err)
		}
		ck, err := crypt.DecryptCryptoKeys(*m.sync, p)
		if err != nil {
			return crypt.KeyBundle{}, err
		}
		return ck.For("bookmarks"), nil
	}
	if m.bulk != nil {
		return m.bulk.For("bookmarks"), nil
	}
	return crypt.KeyBundle{}, errors.New("the records are encrypted: give --crypto-keys FILE (the crypto/keys record) to open them with the key")
}

// Provenance says what the source is.
func (s *Source) Provenance() source.Provenance {
	return source.Provenance{Kind: s.kind, Path: s.path, Label: "Remote (" + s.What() + ")", At: s.at, Side: tree.Remote}
}

func label(k source.Kind) string {
	switch k {
	case AboutSync:
		return "about:sync export"
	case FFSClient:
		return "ffsclient dump"
	}
	return "server records"
}

// Records is the number of records the dump holds.
func (s *Source) Records() int { return s.records }

// What names the kind of dump for people, e.g. "about:sync export".
func (s *Source) What() string { return label(s.kind) }

// Load builds the remote tree, ages measured against the server's clock.
func (s *Source) Load(clock time.Time) (*source.Result, error) { return s.LoadPreferring(clock, nil) }

// LoadPreferring is Load with the user's choice of parent for items that
// several folders claim.
func (s *Source) LoadPreferring(clock time.Time, prefer map[string]string) (*source.Result, error) {
	t, built, err := mirror.BuildRemoteTree(s.items, s.structure, tree.NowMillis(clock), prefer)
	if t == nil {
		return nil, fmt.Errorf("server dump %s: %w", s.path, err)
	}
	r := &source.Result{
		Provenance: s.Provenance(),
		Tree:       t,
		Report:     check.Tree(tree.Remote, t),
		TreeErr:    err,
		Notes:      append([]string(nil), s.notes...),
		Tombstones: built.Tombstones,
	}
	for _, sk := range built.Skipped {
		r.Notes = append(r.Notes, "skipped server record: "+sk.String())
	}
	return r, nil
}

// Close releases nothing: the dump is read whole when opened.
func (s *Source) Close() error { return nil }
