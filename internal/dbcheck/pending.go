package dbcheck

import "context"

// Pending is a Check running in the background, so that opening a large
// file need not wait for it.
type Pending struct {
	cancel context.CancelFunc
	done   chan struct{}
	damage []Damage
	err    error
}

// Start runs Check in the background. release, if not nil, runs when the
// check has ended (to close a connection opened for it).
func Start(q Querier, schema, file string, release func() error) *Pending {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pending{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.damage, p.err = Check(ctx, q, schema, file)
		if release != nil {
			if err := release(); p.err == nil {
				p.err = err
			}
		}
	}()
	return p
}

// Done is closed once the result is in.
func (p *Pending) Done() <-chan struct{} { return p.done }

// Wait waits for the check and returns what Check returned.
func (p *Pending) Wait() ([]Damage, error) {
	<-p.done
	return p.damage, p.err
}

// Stop cancels the check if it is still running and waits for it to end.
func (p *Pending) Stop() {
	p.cancel()
	<-p.done
}
