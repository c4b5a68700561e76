package bundle

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Limits on what a reader inflates, so that a hostile file cannot fill
// the disk or the memory.
const (
	maxManifest = 1 << 20  // 1 MiB
	maxJSON     = 1 << 30  // 1 GiB: a first sync of 40,000 bookmarks logs about 30 MB
	maxDatabase = 16 << 30 // 16 GiB
	maxRows     = 1 << 30  // 1 GiB, held in memory: large-40k's rows are 8 and 9 MB
)

// Case is an unpacked bundle: its manifest, its JSON members and its
// databases in a private folder laid out as a profile (places.sqlite and
// weave/bookmarks.sqlite), which Close removes.
type Case struct {
	Path     string // the bundle file
	Manifest Manifest
	Dir      string // the private folder
	members  map[string][]byte
}

// Member returns a JSON member's bytes, nil when the bundle has none.
func (c *Case) Member(name string) []byte { return c.members[name] }

// PlacesPath and MirrorPath are the unpacked databases; MirrorPath is ""
// when the profile had no mirror.
func (c *Case) PlacesPath() string { return filepath.Join(c.Dir, PlacesName) }

// MirrorPath is the unpacked mirror, "" when the bundle has none.
func (c *Case) MirrorPath() string {
	if !c.Manifest.Mirror {
		return ""
	}
	return filepath.Join(c.Dir, filepath.FromSlash(MirrorName))
}

// Close removes the private folder.
func (c *Case) Close() error {
	if c == nil || c.Dir == "" {
		return nil
	}
	err := os.RemoveAll(c.Dir)
	c.Dir = ""
	return err
}

// Open reads the bundle at path and unpacks it into a private folder. It
// never writes next to path. Errors are one line naming the file and
// matching ErrNotBundle, ErrVersion or ErrDamaged (or the file system's).
func Open(path string) (*Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("case %s: %w (not a regular file)", path, ErrNotBundle)
	}
	c, err := read(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// read unpacks a bundle of size bytes from r.
func read(r io.ReaderAt, size int64) (c *Case, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w (not a zip file, or a truncated one: %v)", ErrNotBundle, err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrDamaged, f.Name)
		}
		files[f.Name] = f
	}
	mf := files[ManifestName]
	if mf == nil {
		return nil, fmt.Errorf("%w (no %s)", ErrNotBundle, ManifestName)
	}
	raw, err := readMember(mf, maxManifest)
	if err != nil {
		return nil, err
	}
	m, err := decodeManifest(raw)
	if err != nil {
		return nil, err
	}
	c = &Case{Manifest: *m, members: map[string][]byte{}}
	for _, name := range []string{ReportName, DecisionsName, ResolutionsName, DoctorName} {
		if f := files[name]; f != nil {
			if c.members[name], err = readMember(f, maxJSON); err != nil {
				return nil, err
			}
		}
	}
	dbs := []string{PlacesName}
	if m.Mirror {
		dbs = append(dbs, MirrorName)
	}
	members := dbs
	if m.Version >= 2 {
		members = []string{PlacesRows, MirrorRows}[:len(dbs)]
	}
	for _, name := range members {
		if files[name] == nil {
			return nil, fmt.Errorf("%w: %s is missing", ErrDamaged, name)
		}
	}
	if c.Dir, err = os.MkdirTemp("", "bmtui-case-"); err != nil {
		return nil, err
	}
	unpacked := c // a failed return sets c to nil
	defer func() {
		if err != nil {
			unpacked.Close()
		}
	}()
	if err := os.Mkdir(filepath.Join(c.Dir, "weave"), 0o700); err != nil {
		return nil, err
	}
	for i, name := range dbs {
		dst := filepath.Join(c.Dir, filepath.FromSlash(name))
		if m.Version < 2 {
			if err := extract(files[name], dst); err != nil {
				return nil, err
			}
			continue
		}
		raw, err := readMember(files[members[i]], maxRows)
		if err != nil {
			return nil, err
		}
		if err := materialize(dst, []dbPlan{placesPlan, mirrorPlan}[i], raw); err != nil {
			return nil, fmt.Errorf("%s: %w", members[i], err)
		}
	}
	return c, nil
}

func readMember(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %s is too large (%d bytes)", ErrDamaged, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("larger than its header says")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	return b, nil
}

// extract inflates f into a new file at dst. The zip reader checks the
// size and the CRC-32 as it reaches the end.
func extract(f *zip.File, dst string) error {
	if f.UncompressedSize64 > maxDatabase {
		return fmt.Errorf("%w: %s is too large (%d bytes)", ErrDamaged, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.LimitReader(rc, maxDatabase+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDamaged, f.Name, err)
	}
	return nil
}
