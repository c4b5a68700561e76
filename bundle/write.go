package bundle

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/bmtui/bmtui/internal/hugepages"
	"golang.org/x/sync/errgroup"
)

// ErrExists means the output file exists and --force was not given.
var ErrExists = errors.New("exists (use --force to replace it)")

// Pack writes the bundle: the manifest, the JSON members (name → bytes;
// nil values are left out) and the staged databases (Stage), into out
// (Packer).
func Pack(out string, force bool, m Manifest, members map[string][]byte, staged *Staged) error {
	p, err := NewPacker(out, force, m.Created)
	if err != nil {
		return err
	}
	p.AddStaged(staged)
	for name, b := range members {
		p.Add(name, b)
	}
	return p.Finish(m)
}

// Packer writes a bundle whose members are compressed as soon as each is
// ready, concurrently with one another and with whatever the caller does
// meanwhile (the staged rows while the decision log is made). The
// file is written by Finish, atomically: a temporary file beside out,
// synced, then renamed; an existing out is replaced only with force.
type Packer struct {
	out     string
	force   bool
	created time.Time
	g       errgroup.Group
	mu      sync.Mutex
	done    map[string]deflated
}

// NewPacker starts a bundle for out; it refuses at once when out exists
// and force is not given.
func NewPacker(out string, force bool, created time.Time) (*Packer, error) {
	if !force {
		if _, err := os.Lstat(out); err == nil {
			return nil, fmt.Errorf("%s %w", out, ErrExists)
		}
	}
	return &Packer{out: out, force: force, created: created, done: map[string]deflated{}}, nil
}

// Add compresses a member (ReportName, DecisionsName, ResolutionsName,
// DoctorName, PlacesRows or MirrorRows); nil is left out.
func (p *Packer) Add(name string, b []byte) {
	if b == nil {
		return
	}
	p.compress(name, func() ([]byte, error) { return b, nil })
}

// AddStaged compresses the staged databases' rows (Stage) in the
// background, Places then the mirror when there is one, one after the
// other: they take one core, and leave the other to what the caller does
// meanwhile (the merge of a redacted bundle).
func (p *Packer) AddStaged(s *Staged) {
	p.g.Go(func() error {
		for _, m := range []struct {
			name string
			raw  []byte
		}{{PlacesRows, s.Places}, {MirrorRows, s.Mirror}} {
			if m.raw == nil {
				continue
			}
			d, err := deflate(m.name, m.raw, p.created)
			if err != nil {
				return fmt.Errorf("bundle: %s: %w", m.name, err)
			}
			p.keep(d)
		}
		return nil
	})
}

// keep holds a compressed member for Finish.
func (p *Packer) keep(d deflated) {
	p.mu.Lock()
	p.done[d.header.Name] = d
	p.mu.Unlock()
}

// AddStream compresses the member that write writes, as it writes it,
// without holding it whole: for the decision log (18 MB for large-40k).
// write runs in the background, on a goroutine of its own: what it
// writes is compressed on another core while it makes the next piece.
// hint is the compressed size expected.
func (p *Packer) AddStream(name string, hint int, write func(io.Writer) error) {
	p.g.Go(func() error {
		d, err := deflateFrom(name, piped(write), hint, p.created)
		if err != nil {
			return fmt.Errorf("bundle: %s: %w", name, err)
		}
		p.keep(d)
		return nil
	})
}

func (p *Packer) compress(name string, read func() ([]byte, error)) {
	p.g.Go(func() error {
		raw, err := read()
		if err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
		d, err := deflate(name, raw, p.created)
		if err != nil {
			return fmt.Errorf("bundle: %s: %w", name, err)
		}
		p.keep(d)
		return nil
	})
}

// Wait waits for the compressions started: a caller giving up calls it
// before removing the files they read.
func (p *Packer) Wait() error { return p.g.Wait() }

// memberOrder is the order of the members in the file and the manifest:
// the manifest, the JSON members, the databases.
var memberOrder = []string{ReportName, DecisionsName, ResolutionsName, DoctorName, PlacesRows, MirrorRows}

// Finish waits for the members, then writes the manifest m (its Members
// and Doctor filled in from what was added) and them into the file.
func (p *Packer) Finish(m Manifest) (err error) {
	if err := p.g.Wait(); err != nil {
		return err
	}
	if _, ok := p.done[MirrorRows]; ok != m.Mirror {
		return fmt.Errorf("bundle: the mirror was staged: %v, the manifest says %v", ok, m.Mirror)
	}
	if _, ok := p.done[PlacesRows]; !ok {
		return fmt.Errorf("bundle: places.sqlite was not staged")
	}
	m.Format, m.Version = Format, Version
	m.Members = m.Members[:0]
	m.Doctor = ""
	list := make([]deflated, 0, len(memberOrder)+1)
	for _, name := range memberOrder {
		if d, ok := p.done[name]; ok {
			list = append(list, d)
			m.Members = append(m.Members, name)
		}
	}
	if _, ok := p.done[DoctorName]; ok {
		m.Doctor = DoctorName
	}
	man, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	d, err := deflate(ManifestName, man, p.created)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	list = append([]deflated{d}, list...)
	return p.write(list)
}

// write puts the compressed members into the file.
func (p *Packer) write(list []deflated) (err error) {
	out := p.out
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
	for _, c := range list {
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
	if p.force {
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

// deflateLevel is klauspost/compress's level 2: on a bundle of
// large-40k (then two SQLite files of 8 and 10 MB and 18 MB of decision
// log) it compressed 2-3× faster than the standard library's fastest
// level, to the same size; the output is plain deflate, which archive/zip
// and any unzip read.
const deflateLevel = 2

type deflated struct {
	header zip.FileHeader
	data   []byte
}

// deflate compresses raw. The buffer is sized for raw that does not
// compress at all, so that it never grows (copied, and new pages
// touched); what is not written of it is never touched.
func deflate(name string, raw []byte, modified time.Time) (deflated, error) {
	return deflateFrom(name, func(w io.Writer) error {
		_, err := w.Write(raw)
		return err
	}, len(raw)+len(raw)/64+4096, modified)
}

// piped is write run on a goroutine of its own, writing through a pipe
// to the writer given to the function returned, which returns once write
// has returned (with its error, or the writer's).
func piped(write func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		pr, pw := io.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			pw.CloseWithError(write(pw)) // nil: the reader sees io.EOF
		}()
		_, err := io.CopyBuffer(w, pr, make([]byte, 64<<10))
		pr.CloseWithError(err) // a write still pending fails: write returns
		<-done
		return err
	}
}

// deflateFrom compresses what write writes, as the member name; hint is
// the compressed size expected.
func deflateFrom(name string, write func(io.Writer) error, hint int, modified time.Time) (deflated, error) {
	// Not a bytes.Buffer: its Grow clears the whole capacity, touching
	// every page of it.
	buf := &appender{b: hugepages.Make[byte](0, hint)}
	fw, err := flate.NewWriter(buf, deflateLevel)
	if err != nil {
		return deflated{}, err
	}
	w := &checksummed{w: fw, crc: crc32.NewIEEE()}
	if err := write(w); err != nil {
		return deflated{}, err
	}
	if err := fw.Close(); err != nil {
		return deflated{}, err
	}
	h := zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              w.crc.Sum32(),
		CompressedSize64:   uint64(len(buf.b)),
		UncompressedSize64: uint64(w.n),
		Modified:           modified,
	}
	h.SetMode(0o600)
	// CreateRaw writes the MS-DOS time fields as they are (only
	// CreateHeader derives them from Modified).
	h.ModifiedDate, h.ModifiedTime = msDosTime(modified)
	return deflated{header: h, data: buf.b}, nil
}

// appender is an io.Writer appending to b.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

// checksummed passes bytes on, counting them and summing their CRC-32.
type checksummed struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
}

func (c *checksummed) Write(b []byte) (int, error) {
	c.crc.Write(b)
	c.n += int64(len(b))
	return c.w.Write(b)
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
