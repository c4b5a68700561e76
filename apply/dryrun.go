package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/record"
)

// DryRun applies plan's merge to scratch copies of the given database files
// (normally the private snapshots a preview read) and returns the report,
// whose Outgoing lists exactly the records Firefox would upload. The profile
// itself is never touched.
func DryRun(ctx context.Context, plan *Plan, placesFile, mirrorFile string) (*Report, error) {
	dir, err := os.MkdirTemp("", "bmtui-dryrun-")
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer os.RemoveAll(dir)
	pp, mp := placesPath(dir), mirrorPath(dir)
	for _, c := range [][2]string{{placesFile, pp}, {placesFile + "-wal", pp + "-wal"}, {mirrorFile, mp}, {mirrorFile + "-journal", mp + "-journal"}} {
		if err := copyIfExists(c[0], c[1]); err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
	}
	scratch := *plan
	scratch.ProfileDir = dir
	if scratch.PlacesFile, err = dbsnap.StatFile(pp, "-wal"); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	if scratch.MirrorFile, err = dbsnap.StatFile(mp, "-journal"); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	if scratch.Places, err = fingerprintFile(pp, func(db *sql.DB) (places.Fingerprint, error) { return places.ReadFingerprint(db, "main") }); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	if scratch.Mirror, err = fingerprintFile(mp, func(db *sql.DB) (mirror.Fingerprint, error) { return mirror.ReadFingerprint(db, "main") }); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	return Apply(ctx, dir, &scratch, Options{NoFirefoxBackup: true, SkipVerify: true, OutgoingPath: "-", BackupRoot: filepath.Join(dir, "backups")})
}

// OutgoingPreview lists the records Firefox would upload after res, a
// merge of p's trees, by applying it to scratch copies of the snapshots p
// read. Nothing in the profile is touched.
func OutgoingPreview(ctx context.Context, p *load.Profile, res *merge.Result) ([]record.Outgoing, error) {
	plan, err := PlanFor(p, res)
	if err != nil {
		return nil, err
	}
	// The dry run would refuse the scratch copies, naming them instead.
	if local, remote, _ := p.Damage(); len(local)+len(remote) > 0 {
		return nil, errors.New(dbcheck.Summary(append(local, remote...)) + "; see bmtui validate")
	}
	rep, err := DryRun(ctx, plan, p.Places.DB().Snapshot().Path, p.Mirror.DB().Snapshot().Path)
	if err != nil {
		return nil, err
	}
	return rep.Outgoing, nil
}

func fingerprintFile[T any](path string, read func(*sql.DB) (T, error)) (T, error) {
	var zero T
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return zero, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return read(db)
}

func copyIfExists(src, dst string) error {
	in, err := os.Open(src)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
