package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"
)

// ErrExists means the output file exists and --force was not given.
var ErrExists = errors.New("exists (use --force to replace it)")

// Pack writes the bundle: the manifest, the JSON members (name → bytes;
// nil values are left out) and the staged databases in dir (Stage), into
// out, atomically: a temporary file beside it, synced, then renamed. An
// existing out is replaced only with force. Members are compressed
// concurrently (deflate at its fastest level: the databases are most of
// the bytes and compress 5-10× even so).
func Pack(out string, force bool, m Manifest, members map[string][]byte, dir string) (err error) {
	if !force {
		if _, err := os.Lstat(out); err == nil {
			return fmt.Errorf("%s %w", out, ErrExists)
		}
	}
	m.Format, m.Version = Format, Version
	m.Members = m.Members[:0]
	type member struct {
		name string
		read func() ([]byte, error)
	}
	var list []member
	for _, name := range []string{ReportName, DecisionsName, ResolutionsName, DoctorName} {
		if b := members[name]; b != nil {
			list = append(list, member{name, func() ([]byte, error) { return b, nil }})
			m.Members = append(m.Members, name)
		}
	}
	if members[DoctorName] != nil {
		m.Doctor = DoctorName
	}
	dbs := []string{PlacesName}
	if m.Mirror {
		dbs = append(dbs, MirrorName)
	}
	for _, name := range dbs {
		list = append(list, member{name, func() ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))) }})
		m.Members = append(m.Members, name)
	}
	man, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	list = append([]member{{ManifestName, func() ([]byte, error) { return man, nil }}}, list...)

	compressed := make([]deflated, len(list))
	var g errgroup.Group
	for i, mem := range list {
		g.Go(func() error {
			raw, err := mem.read()
			if err != nil {
				return fmt.Errorf("bundle: %w", err)
			}
			compressed[i], err = deflate(mem.name, raw, m.Created)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name means nothing to the user
		}
		return fmt.Errorf("bundle: write %s: %w", out, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	for _, c := range compressed {
		w, err := zw.CreateRaw(&c.header)
		if err != nil {
			return fmt.Errorf("bundle: write %s: %w", out, err)
		}
		if _, err := w.Write(c.data); err != nil {
			return fmt.Errorf("bundle: write %s: %w", out, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("bundle: write %s: %w", out, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("bundle: write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("bundle: write %s: %w", out, err)
	}
	if force {
		err = os.Rename(tmp.Name(), out)
	} else {
		// A link fails if out appeared meanwhile: never replaced unasked.
		if err = os.Link(tmp.Name(), out); err == nil {
			os.Remove(tmp.Name())
		} else if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%s %w", out, ErrExists)
		}
	}
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

type deflated struct {
	header zip.FileHeader
	data   []byte
}

func deflate(name string, raw []byte, modified time.Time) (deflated, error) {
	var buf bytes.Buffer
	buf.Grow(len(raw) / 4)
	fw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return deflated{}, err
	}
	if _, err := io.Copy(fw, bytes.NewReader(raw)); err != nil {
		return deflated{}, err
	}
	if err := fw.Close(); err != nil {
		return deflated{}, err
	}
	h := zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(raw),
		CompressedSize64:   uint64(buf.Len()),
		UncompressedSize64: uint64(len(raw)),
		Modified:           modified,
	}
	h.SetMode(0o600)
	// CreateRaw writes the MS-DOS time fields as they are (only
	// CreateHeader derives them from Modified).
	h.ModifiedDate, h.ModifiedTime = msDosTime(modified)
	return deflated{header: h, data: buf.Bytes()}, nil
}

// msDosTime is t as a zip header's MS-DOS date and time (2-second
// resolution, years 1980-2107), in UTC.
func msDosTime(t time.Time) (date, tm uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		return 0, 0
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}
