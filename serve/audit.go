package serve

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// EventKind says what happened.
type EventKind string

const (
	EventJoin    EventKind = "join"    // a session started
	EventLeave   EventKind = "leave"   // a session ended
	EventRefused EventKind = "refused" // a connection or session was turned away
	EventAction  EventKind = "action"  // a session did something (choose, undo, apply...)
)

// Refusal reasons (Event.Reason of EventRefused). Password and
// keyboard-interactive are never offered, so ordinary clients asked to use
// them give up after offering no key (ReasonNoKey); ReasonPassword and
// ReasonKeyboard mark clients that try them anyway.
const (
	ReasonUnknownKey   = "unknown key"
	ReasonKeyNotHere   = "key not allowed from this address"
	ReasonKeyExpired   = "key expired"
	ReasonPassword     = "password authentication refused"
	ReasonKeyboard     = "keyboard-interactive authentication refused"
	ReasonNoKey        = "no public key offered"
	ReasonTooMany      = "too many sessions"
	ReasonTooManyConns = "too many connections"
	ReasonNoTerminal   = "no terminal"
	ReasonCommand      = "command not allowed"
)

// Leave reasons (Event.Reason of EventLeave).
const (
	ReasonIdle     = "idle"
	ReasonShutdown = "server shutting down"
)

// Event is one line of the audit log, and what Config.OnEvent receives.
// Session fields are empty for connections refused before a session
// existed, except Remote (and User and Fingerprint when the client got as
// far as naming them).
type Event struct {
	Time time.Time `json:"time"`
	Kind EventKind `json:"event"`
	SessionInfo
	Reason   string        `json:"reason,omitempty"`
	Action   string        `json:"action,omitempty"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"` // of a session, on leave
}

// auditLog writes events as JSON lines.
type auditLog struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

func newAuditLog(w io.Writer) *auditLog {
	if w == nil {
		return nil
	}
	return &auditLog{enc: json.NewEncoder(w)}
}

func (a *auditLog) write(e Event) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.enc.Encode(e); err != nil && a.err == nil {
		a.err = err
	}
}
