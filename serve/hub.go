package serve

import (
	"fmt"
	"sync"
)

// StateMsg is what every connected program receives, through
// tea.Program.Send, whenever the shared state or the apply lock changes. It
// is a snapshot: a program that is slow to read may skip intermediate
// versions, never the latest one.
type StateMsg struct {
	Version  uint64 // increases with every change of Value
	Value    any    // the shared state; treat as immutable
	By       string // who made the last change of Value ("" for the initial value)
	Applying string // who holds the apply lock, "" when nobody applies
}

// BusyError is returned to an operator who wants to apply while another
// one is applying.
type BusyError struct{ Owner string }

func (e *BusyError) Error() string { return e.Owner + " is applying" }

// Hub holds the state every session of one profile shares (for the merge
// screen: the resolutions chosen so far) and the apply lock. Values are
// opaque to the hub and must not be modified after they are stored: Update
// replaces the value, it never changes it in place.
type Hub struct {
	mu       sync.Mutex
	version  uint64
	value    any
	by       string
	applying string
	seq      uint64 // counts every change, of the value or the lock
	subs     map[uint64]*subscriber
	nextSub  uint64
}

// NewHub returns a hub holding initial at version 0.
func NewHub(initial any) *Hub {
	return &Hub{value: initial, subs: make(map[uint64]*subscriber)}
}

// Snapshot returns the current state.
func (h *Hub) Snapshot() StateMsg {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.snapshotLocked()
}

func (h *Hub) snapshotLocked() StateMsg {
	return StateMsg{Version: h.version, Value: h.value, By: h.by, Applying: h.applying}
}

// Update replaces the value with fn's result, atomically: fn sees the
// current value and no other update runs meanwhile. An error from fn leaves
// the state as it was. Every subscriber is told.
func (h *Hub) Update(by string, fn func(old any) (any, error)) (StateMsg, error) {
	h.mu.Lock()
	v, err := fn(h.value)
	if err != nil {
		s := h.snapshotLocked()
		h.mu.Unlock()
		return s, err
	}
	h.value, h.by = v, by
	h.version++
	s := h.changedLocked()
	h.mu.Unlock()
	return s, nil
}

// Set replaces the value (e.g. after the host reloads the profile).
func (h *Hub) Set(by string, v any) StateMsg {
	s, _ := h.Update(by, func(any) (any, error) { return v, nil })
	return s
}

// Applying returns who holds the apply lock, or "".
func (h *Hub) Applying() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.applying
}

// TryLock takes the apply lock for owner, or returns a *BusyError naming
// the holder. unlock releases it; calling it again does nothing.
func (h *Hub) TryLock(owner string) (unlock func(), err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.applying != "" {
		return nil, &BusyError{Owner: h.applying}
	}
	if owner == "" {
		owner = "someone"
	}
	h.applying = owner
	h.changedLocked()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			h.applying = ""
			h.changedLocked()
			h.mu.Unlock()
		})
	}, nil
}

// changedLocked wakes every subscriber.
func (h *Hub) changedLocked() StateMsg {
	h.seq++
	for _, s := range h.subs {
		s.poke()
	}
	return h.snapshotLocked()
}

// Subscribe calls deliver with the current state now and with the latest
// state after every change, from a goroutine of its own, one call at a
// time and never with an older version after a newer one. deliver may
// block (tea.Program.Send does until the program reads); changes made
// meanwhile are coalesced. cancel stops further deliveries; it does not
// wait for a call in progress.
func (h *Hub) Subscribe(deliver func(StateMsg)) (cancel func()) {
	s := &subscriber{wake: make(chan struct{}, 1), stop: make(chan struct{})}
	h.mu.Lock()
	id := h.nextSub
	h.nextSub++
	h.subs[id] = s
	h.mu.Unlock()
	s.poke()
	go func() {
		last := ^uint64(0)
		for {
			select {
			case <-s.stop:
				return
			case <-s.wake:
			}
			h.mu.Lock()
			seq, snap := h.seq, h.snapshotLocked()
			h.mu.Unlock()
			if seq == last {
				continue
			}
			last = seq
			deliver(snap)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, id)
			h.mu.Unlock()
			close(s.stop)
		})
	}
}

// Subscribers is the number of current subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

type subscriber struct {
	wake chan struct{}
	stop chan struct{}
}

func (s *subscriber) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// String describes the state for logs.
func (m StateMsg) String() string {
	return fmt.Sprintf("version %d by %q, applying %q", m.Version, m.By, m.Applying)
}
