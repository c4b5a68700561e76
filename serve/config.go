package serve

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Defaults for Config's zero fields.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 8
)

// handshakeTimeout bounds how long a client may take to authenticate.
const handshakeTimeout = 30 * time.Second

// ModelFactory builds the root model of one session. It runs once per
// session, before the program starts; s stays valid for the session's
// life (see Session for what a model may ask of it).
type ModelFactory func(s *Session) tea.Model

// Config configures a Server.
type Config struct {
	// Listen is the TCP address, DefaultListen if empty. An address other
	// machines can reach needs AllowRemote.
	Listen      string
	AllowRemote bool

	// AuthorizedKeysPath lists the keys that may log in and their roles;
	// ~/.ssh/authorized_keys if empty. It is read again whenever it
	// changes.
	AuthorizedKeysPath string
	// HostKeyPath is the server's private key, generated (ed25519, mode
	// 0600) if missing; if empty, ssh_host_ed25519_key in bmtui's folder of
	// os.UserConfigDir.
	HostKeyPath string

	// Redact shows viewers placeholders instead of titles and URLs (the
	// model factory does the showing; see Session.Redacted).
	Redact bool

	// IdleTimeout ends a session without keyboard input for this long;
	// DefaultIdleTimeout if zero, never if negative.
	IdleTimeout time.Duration
	// MaxSessions caps concurrent sessions; DefaultMaxSessions if zero.
	MaxSessions int

	// AuditLog receives one JSON line per Event; nil for none.
	AuditLog io.Writer
	// OnEvent, if set, is called for every Event (joins, leaves, refusals,
	// actions), e.g. for the host's console. Calls come from connection
	// goroutines, possibly at once, and must not block for long.
	OnEvent func(Event)

	// ModelFactory builds each session's model. Required.
	ModelFactory ModelFactory
	// Hub is the shared state; a new empty Hub if nil.
	Hub *Hub

	// ProgramOptions are added to every session's tea.Program, after the
	// session's own input, output, size and environment.
	ProgramOptions []tea.ProgramOption

	// Now is the clock for events; time.Now if nil.
	Now func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Hub == nil {
		c.Hub = NewHub(nil)
	}
	if c.ModelFactory == nil {
		return c, errors.New("serve: no model factory")
	}
	if c.AuthorizedKeysPath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return c, fmt.Errorf("serve: no authorized keys file given and no home folder: %w", err)
		}
		c.AuthorizedKeysPath = filepath.Join(home, ".ssh", "authorized_keys")
	}
	if c.HostKeyPath == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return c, fmt.Errorf("serve: no host key path given and no config folder: %w", err)
		}
		c.HostKeyPath = filepath.Join(dir, "bmtui", "ssh_host_ed25519_key")
	}
	if err := checkListen(c.Listen, c.AllowRemote); err != nil {
		return c, err
	}
	return c, nil
}

// checkListen refuses addresses other machines can reach unless allowed.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("serve: listen address %q: %w", addr, err)
	}
	if allowRemote || IsLoopback(host) {
		return nil
	}
	return fmt.Errorf("serve: %s can be reached from other machines; listen on 127.0.0.1 or ::1, or allow remote connections explicitly (--allow-remote)", addr)
}

// IsLoopback reports whether host (an IP address or "localhost") only
// reaches this machine. An empty host means every interface.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
