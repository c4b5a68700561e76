package serve

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
)

// ErrReadOnly is returned when a viewer tries to change the shared state or
// apply.
var ErrReadOnly = errors.New("read-only session: only operators can change or apply the merge")

// SessionInfo describes a connected session, for the host and the audit log.
type SessionInfo struct {
	ID          uint64    `json:"session,omitempty"`
	User        string    `json:"user,omitempty"`        // the SSH user name the client gave
	KeyComment  string    `json:"key_comment,omitempty"` // the key's comment in authorized_keys
	Fingerprint string    `json:"fingerprint,omitempty"` // SHA256:... of the key used
	Role        Role      `json:"role,omitzero"`
	Remote      string    `json:"remote,omitempty"` // client address
	Since       time.Time `json:"since,omitzero"`
	Term        string    `json:"term,omitempty"`
}

// Name is how other people see the session: the user name, with the key's
// comment when it has one ("alice (helper@example)").
func (i SessionInfo) Name() string {
	if i.KeyComment != "" && i.KeyComment != i.User {
		return i.User + " (" + i.KeyComment + ")"
	}
	if i.User == "" {
		return "session " + strconv.FormatUint(i.ID, 10)
	}
	return i.User
}

// Session is one connected client as its model sees it. The model factory
// receives it; a model may keep it and call its methods from Update or from
// commands.
type Session struct {
	info     SessionInfo
	env      []string
	redacted bool
	srv      *Server
	ctx      context.Context

	mu    sync.Mutex
	prog  *tea.Program
	unsub func()
	idle  *time.Timer
	// why the session ended, when the server ended it
	leave atomic.Value // string
}

// Info describes the session.
func (s *Session) Info() SessionInfo { return s.info }

// Role is the session's role.
func (s *Session) Role() Role { return s.info.Role }

// ReadOnly reports whether the session is a viewer's: the model should
// show the shared state and offer no action that changes it.
func (s *Session) ReadOnly() bool { return s.info.Role != Operator }

// Redacted reports whether the session must see placeholders instead of
// titles and URLs (a viewer on a server started with Redact).
func (s *Session) Redacted() bool { return s.redacted }

// Environ is the client's environment as sent over SSH (SendEnv, SetEnv),
// plus TERM from its terminal request.
func (s *Session) Environ() []string { return append([]string(nil), s.env...) }

// Getenv returns the value of key in the client's environment.
func (s *Session) Getenv(key string) string {
	v := ""
	for _, kv := range s.env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val // the last one wins, as TERM is appended last
		}
	}
	return v
}

// NoColor reports whether the client asked for no colour (NO_COLOR set to
// a non-empty value).
func (s *Session) NoColor() bool { return s.Getenv("NO_COLOR") != "" }

// Context is done when the session ends.
func (s *Session) Context() context.Context { return s.ctx }

// Hub is the shared state of the profile.
func (s *Session) Hub() *Hub { return s.srv.cfg.Hub }

// Update changes the shared state (see Hub.Update) in this session's name.
// Viewers get ErrReadOnly.
func (s *Session) Update(fn func(old any) (any, error)) (StateMsg, error) {
	if s.ReadOnly() {
		return s.Hub().Snapshot(), ErrReadOnly
	}
	return s.Hub().Update(s.info.Name(), fn)
}

// Apply runs fn, which writes the merge to the profile, holding the apply
// lock, and records the apply in the audit log. Viewers get ErrReadOnly; an
// operator who comes second gets a *BusyError naming the one applying. The
// lock is held until fn returns, even if the session ends meanwhile, so run
// Apply from a tea.Cmd, not from Update.
func (s *Session) Apply(fn func() error) error {
	if s.ReadOnly() {
		s.Record("apply", "refused: read-only")
		return ErrReadOnly
	}
	unlock, err := s.Hub().TryLock(s.info.Name())
	if err != nil {
		s.Record("apply", "refused: "+err.Error())
		return err
	}
	defer unlock()
	s.Record("apply", "started")
	if err := fn(); err != nil {
		s.Record("apply", "failed: "+err.Error())
		return err
	}
	s.Record("apply", "done")
	return nil
}

// Record writes an action of this session to the audit log and the host's
// events: what the model did on the user's behalf ("choose", "undo",
// "apply") and on what (detail, e.g. a GUID and the side chosen).
func (s *Session) Record(action, detail string) {
	s.srv.emit(Event{Kind: EventAction, SessionInfo: s.info, Action: action, Detail: detail})
}

// Send delivers msg to the session's program (no-op before it starts or
// after it ends).
func (s *Session) Send(msg tea.Msg) {
	s.mu.Lock()
	p := s.prog
	s.mu.Unlock()
	if p != nil {
		p.Send(msg)
	}
}

// end quits the program for reason (idle, shutdown).
func (s *Session) end(reason string) {
	s.leave.CompareAndSwap(nil, reason)
	s.mu.Lock()
	p := s.prog
	s.mu.Unlock()
	if p != nil {
		p.Quit()
	}
}

func (s *Session) leaveReason() string {
	r, _ := s.leave.Load().(string)
	return r
}

// touch restarts the idle timer.
func (s *Session) touch() {
	s.mu.Lock()
	if s.idle != nil {
		s.idle.Reset(s.srv.cfg.IdleTimeout)
	}
	s.mu.Unlock()
}

// activityReader is the program's input; every read restarts the idle
// timer.
type activityReader struct {
	r interface{ Read([]byte) (int, error) }
	s *Session
}

func (a activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.s.touch()
	}
	return n, err
}
