package dbsnap

import (
	"context"
	"errors"
	"fmt"

	"github.com/bmtui/bmtui/internal/dbcheck"
)

// DamageError is the one line for a read that failed: for a damaged file
// "places.sqlite at P is damaged (index I, page 37): <SQLite's error>",
// saying where when damage (what the structural check found) does.
// Other errors are returned as QueryError makes them.
func DamageError(what, path string, err error, damage []dbcheck.Damage) error {
	if !dbcheck.IsCorrupt(err) {
		return QueryError(what, path, err)
	}
	cause := err
	if fe := (*FileError)(nil); errors.As(err, &fe) && fe.Err != nil {
		cause = fe.Err
	}
	problem := "is damaged"
	if w := dbcheck.Where(damage); w != "" {
		problem += " (" + w + ")"
	}
	return NewError(what, path, ErrCorrupt, cause, "%s", problem)
}

// CheckedError is DamageError for a read made while opening f, before the
// background check started: a damaged file is checked now, to say where.
func CheckedError(what string, f *File, err error) error {
	var damage []dbcheck.Damage
	if dbcheck.IsCorrupt(err) {
		damage, _ = dbcheck.Check(context.Background(), f.SQL(), "main", f.Path())
	}
	return DamageError(what, f.Path(), err, damage)
}

// ReadError is the one line for a read of a snapshot that failed: on a
// damaged file it says so and where (waiting for the structural check,
// damage), else doing says what failed.
func ReadError(what, path, doing string, err error, damage func() ([]dbcheck.Damage, error)) error {
	if !dbcheck.IsCorrupt(err) {
		return fmt.Errorf("%s %s: %w", doing, path, err)
	}
	ds, _ := damage()
	return DamageError(what, path, err, ds)
}
