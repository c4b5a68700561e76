package dbcheck

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Runner runs Check in the background once started, on a connection of
// its own, so that a large file opens without waiting for its check and
// the check does not hold up the reads.
type Runner struct {
	file string
	open func() (*sql.DB, error)

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{}
	damage  []Damage
	err     error
}

// ErrStopped is Wait's error for a check stopped before it ended.
var ErrStopped = errors.New("structural check stopped")

// NewRunner prepares a check of file ("main" schema) through the
// connection open opens; the check closes it when it ends.
func NewRunner(file string, open func() (*sql.DB, error)) *Runner {
	return &Runner{file: file, open: open, done: make(chan struct{})}
}

// Start starts the check if it has not started and was not stopped.
func (r *Runner) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		defer cancel()
		db, err := r.open()
		if err != nil {
			r.err = err
			return
		}
		r.damage, r.err = Check(ctx, db, "main", r.file)
		if cerr := db.Close(); r.err == nil {
			r.err = cerr
		}
		if ctx.Err() != nil && r.err != nil {
			r.damage, r.err = nil, ErrStopped
		}
	}()
}

// Wait starts the check if need be, waits for it and returns what Check
// returned (ErrStopped after Stop).
func (r *Runner) Wait() ([]Damage, error) {
	r.Start()
	r.mu.Lock()
	stoppedFirst := !r.started
	r.mu.Unlock()
	if stoppedFirst {
		return nil, ErrStopped
	}
	<-r.done
	return r.damage, r.err
}

// Stop cancels the check if it runs, waits for it to end, and keeps it
// from starting later.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	started := r.started
	if started {
		r.cancel()
	}
	r.mu.Unlock()
	if started {
		<-r.done
	}
}
