package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// Permission extensions set at authentication, read when the session starts.
const (
	extRole    = "bmtui-role"
	extComment = "bmtui-key-comment"
)

type ctxKey struct{ name string }

var (
	recordKey  = &ctxKey{"bmtui-conn"}
	sessionKey = &ctxKey{"bmtui-session"}
)

// Server serves one profile's shared bmtui session over SSH.
type Server struct {
	cfg      Config
	ssh      *ssh.Server
	keys     *keyring
	hostKey  gossh.Signer
	audit    *auditLog
	maxConns int

	mu       sync.Mutex
	sessions map[uint64]*Session
	nextID   uint64
	conns    int
	addr     net.Addr
	ln       net.Listener
	ready    chan struct{}
	closing  bool
}

// New checks cfg, loads (or creates) the host key and reads the authorized
// keys. It does not listen yet.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	keys, err := newKeyring(cfg.AuthorizedKeysPath)
	if err != nil {
		return nil, fmt.Errorf("serve: %w (nobody could log in)", err)
	}
	signer, _, err := LoadHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		keys:     keys,
		hostKey:  signer,
		audit:    newAuditLog(cfg.AuditLog),
		maxConns: cfg.MaxSessions + 16,
		sessions: make(map[uint64]*Session),
		ready:    make(chan struct{}),
	}
	s.ssh, err = wish.NewServer(
		wish.WithAddress(cfg.Listen),
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			srv.ServerConfigCallback = s.serverConfig
			srv.HandshakeTimeout = handshakeTimeout
			return nil
		},
		wish.WithPublicKeyAuth(s.publicKey),
		ssh.WrapConn(s.wrapConn),
		// Composed first to last, the last running first: gate, then the
		// program.
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.newProgram),
			s.gate,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return s, nil
}

// HostKey is the server's public host key (print its fingerprint for people
// to compare with what their ssh shows).
func (s *Server) HostKey() gossh.PublicKey { return s.hostKey.PublicKey() }

// Hub is the shared state.
func (s *Server) Hub() *Hub { return s.cfg.Hub }

// AuthorizedKeys rereads the authorized keys file if it changed and returns
// its usable keys and the lines that were skipped or doubtful.
func (s *Server) AuthorizedKeys() ([]AuthorizedKey, []Problem, error) { return s.keys.snapshot() }

// Addr is the address the server listens on, once it does (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Ready is closed once the server listens.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// ListenAndServe listens on Config.Listen and serves until ctx is done
// (then shuts down, giving sessions five seconds to close) or Shutdown is
// called. It returns nil after a shutdown.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln, like ListenAndServe. ln's address is checked like
// Config.Listen.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := checkListen(ln.Addr().String(), s.cfg.AllowRemote); err != nil {
		ln.Close()
		return err
	}
	s.mu.Lock()
	if s.addr != nil || s.closing {
		s.mu.Unlock()
		ln.Close()
		return errors.New("serve: server already started")
	}
	s.addr, s.ln = ln.Addr(), ln
	close(s.ready)
	s.mu.Unlock()

	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(sctx)
	})
	defer stop()
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown asks every session's program to quit (restoring the client's
// terminal), waits for the sessions to end until ctx is done, then closes
// the listener and every connection.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	sessions := make([]*Session, 0, len(s.sessions))
	for _, se := range s.sessions {
		sessions = append(sessions, se)
	}
	s.mu.Unlock()
	for _, se := range sessions {
		se.end(ReasonShutdown)
	}
	var err error
	for {
		s.mu.Lock()
		n := len(s.sessions)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(10 * time.Millisecond):
			continue
		}
		break
	}
	if cerr := s.close(); err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// close closes the SSH server and the listener: the latter too in case
// the SSH server has not started serving on it yet.
func (s *Server) close() error {
	err := s.ssh.Close()
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	return s.close()
}

// Sessions lists the connected sessions, oldest first.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	out := make([]SessionInfo, 0, len(s.sessions))
	for _, se := range s.sessions {
		out = append(out, se.info)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Server) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = s.cfg.Now()
	}
	s.audit.write(e)
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}

// connRecord follows one connection through authentication, to audit it
// if it never gets in.
type connRecord struct {
	mu sync.Mutex
	// idle closes a connection without a session: one that does not
	// authenticate, or opens no session, or keeps the connection after its
	// sessions ended. (charm.land/ssh's own IdleTimeout is not used: its
	// deadline bookkeeping races with the handshake.)
	idle     *time.Timer
	sessions int

	remote   string
	user     string
	authed   bool
	refusals []string // why offered keys were refused, first first
	keys     []string // their fingerprints
	password bool
	keyboard bool
}

func (r *connRecord) refuseKey(fp, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refusals = append(r.refusals, reason)
	r.keys = append(r.keys, fp)
}

func (r *connRecord) attempt(user, method string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.user = user
	switch {
	case err == nil:
		r.authed = true
	case method == "password":
		r.password = true
	case method == "keyboard-interactive":
		r.keyboard = true
	}
}

// refusal is the audit event of a connection that never authenticated.
func (r *connRecord) refusal() (Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.authed {
		return Event{}, false
	}
	e := Event{Kind: EventRefused, SessionInfo: SessionInfo{User: r.user, Remote: r.remote}}
	switch {
	case len(r.refusals) > 0:
		e.Reason = r.refusals[0]
		e.Fingerprint = r.keys[0]
		if len(r.keys) > 1 {
			e.Detail = fmt.Sprintf("%d keys offered", len(r.keys))
		}
	case r.password:
		e.Reason = ReasonPassword
	case r.keyboard:
		e.Reason = ReasonKeyboard
	default:
		e.Reason = ReasonNoKey
	}
	return e, true
}

// trackedConn reports the end of a connection once.
type trackedConn struct {
	net.Conn
	srv  *Server
	rec  *connRecord
	once sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.srv.connClosed(c.rec) })
	return err
}

func (s *Server) wrapConn(ctx ssh.Context, c net.Conn) net.Conn {
	remote := c.RemoteAddr().String()
	s.mu.Lock()
	if s.conns >= s.maxConns {
		s.mu.Unlock()
		s.emit(Event{Kind: EventRefused, SessionInfo: SessionInfo{Remote: remote}, Reason: ReasonTooManyConns})
		return nil
	}
	s.conns++
	s.mu.Unlock()
	rec := &connRecord{remote: remote}
	ctx.SetValue(recordKey, rec)
	tc := &trackedConn{Conn: c, srv: s, rec: rec}
	if s.cfg.IdleTimeout > 0 {
		rec.idle = time.AfterFunc(handshakeTimeout+s.cfg.IdleTimeout, func() { tc.Close() })
	}
	return tc
}

// sessionStarted and sessionEnded keep a connection with a session open.
func (r *connRecord) sessionStarted() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessions++
	if r.idle != nil {
		r.idle.Stop()
	}
}

func (r *connRecord) sessionEnded(idle time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sessions--
	if r.sessions == 0 && r.idle != nil {
		r.idle.Reset(idle)
	}
}

func (s *Server) connClosed(rec *connRecord) {
	rec.mu.Lock()
	if rec.idle != nil {
		rec.idle.Stop()
	}
	rec.mu.Unlock()
	s.mu.Lock()
	s.conns--
	s.mu.Unlock()
	if e, ok := rec.refusal(); ok {
		s.emit(e)
	}
}

func recordFrom(ctx ssh.Context) *connRecord {
	rec, _ := ctx.Value(recordKey).(*connRecord)
	if rec == nil {
		rec = &connRecord{} // not wrapped (cannot happen); record nothing
	}
	return rec
}

// serverConfig is the per-connection x/crypto configuration: only public
// keys are accepted (no password or keyboard-interactive callback is set,
// so those methods are refused), and every attempt is noted for the audit.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	rec := recordFrom(ctx)
	return &gossh.ServerConfig{
		MaxAuthTries: 6,
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			rec.attempt(conn.User(), method, err)
		},
	}
}

// publicKey admits keys listed in the authorized keys file (read again if
// it changed) and notes their role for the session.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	rec := recordFrom(ctx)
	fp := gossh.FingerprintSHA256(key)
	k, ok := s.keys.lookup(key)
	if !ok {
		rec.refuseKey(fp, ReasonUnknownKey)
		return false
	}
	if ok, why := k.allows(ctx.RemoteAddr(), s.cfg.Now()); !ok {
		rec.refuseKey(fp, why)
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = make(map[string]string)
	}
	perms.Extensions[extRole] = k.Role.String()
	perms.Extensions[extComment] = k.Comment
	return true
}

// refuse ends a session that may not start, telling the client why.
func (s *Server) refuse(sess ssh.Session, info SessionInfo, reason, msg string) {
	s.emit(Event{Kind: EventRefused, SessionInfo: info, Reason: reason})
	wish.Fatalln(sess, "bmtui: "+msg)
}

// gate runs before the program: it refuses commands, sessions without a
// terminal and sessions over the cap, and registers the session.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		info := SessionInfo{
			User:   sess.User(),
			Remote: sess.RemoteAddr().String(),
			Since:  s.cfg.Now(),
		}
		if pk := sess.PublicKey(); pk != nil {
			info.Fingerprint = gossh.FingerprintSHA256(pk)
		}
		perms := sess.Permissions()
		info.Role = Viewer
		if perms.Permissions != nil && perms.Extensions[extRole] == Operator.String() {
			info.Role = Operator
		}
		if perms.Permissions != nil {
			info.KeyComment = perms.Extensions[extComment]
		}
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			s.refuse(sess, info, ReasonCommand, "this server runs no commands: connect with plain ssh")
			return
		}
		pty, _, ok := sess.Pty()
		if !ok {
			s.refuse(sess, info, ReasonNoTerminal, "bmtui needs a terminal: connect with ssh -t")
			return
		}
		info.Term = pty.Term

		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			s.refuse(sess, info, ReasonShutdown, "the server is shutting down")
			return
		}
		if len(s.sessions) >= s.cfg.MaxSessions {
			s.mu.Unlock()
			s.refuse(sess, info, ReasonTooMany, fmt.Sprintf("%d sessions are open, the most this server takes; try again later", s.cfg.MaxSessions))
			return
		}
		s.nextID++
		info.ID = s.nextID
		se := &Session{
			info:     info,
			env:      append(sess.Environ(), "TERM="+pty.Term),
			redacted: s.cfg.Redact && info.Role != Operator,
			srv:      s,
			ctx:      sess.Context(),
		}
		s.sessions[info.ID] = se
		s.mu.Unlock()
		sess.Context().SetValue(sessionKey, se)
		rec := recordFrom(sess.Context())
		rec.sessionStarted()
		s.emit(Event{Kind: EventJoin, SessionInfo: info})

		defer func() {
			se.mu.Lock()
			if se.idle != nil {
				se.idle.Stop()
			}
			unsub := se.unsub
			se.prog = nil
			se.mu.Unlock()
			if unsub != nil {
				unsub()
			}
			s.mu.Lock()
			delete(s.sessions, info.ID)
			s.mu.Unlock()
			rec.sessionEnded(s.cfg.IdleTimeout)
			reason := se.leaveReason()
			if reason == ReasonIdle {
				wish.Errorf(sess, "bmtui: disconnected after %s without input\r\n", s.cfg.IdleTimeout)
			}
			s.emit(Event{Kind: EventLeave, SessionInfo: info, Reason: reason, Duration: s.cfg.Now().Sub(info.Since)})
		}()
		next(sess)
	}
}

// newProgram builds the session's program: the model from the factory,
// with the session's terminal (input, output, size, TERM, colour profile
// from the client's environment, NO_COLOR), subscribed to the hub.
func (s *Server) newProgram(sess ssh.Session) *tea.Program {
	se, _ := sess.Context().Value(sessionKey).(*Session)
	if se == nil {
		return nil
	}
	model := s.cfg.ModelFactory(se)
	if model == nil {
		return nil
	}
	opts := bm.MakeOptions(sess)
	opts = append(opts,
		tea.WithInput(activityReader{r: sess, s: se}),
		tea.WithoutSignalHandler(),
	)
	opts = append(opts, s.cfg.ProgramOptions...)
	p := tea.NewProgram(model, opts...)
	se.mu.Lock()
	se.prog = p
	if s.cfg.IdleTimeout > 0 {
		se.idle = time.AfterFunc(s.cfg.IdleTimeout, func() { se.end(ReasonIdle) })
	}
	se.unsub = s.cfg.Hub.Subscribe(func(m StateMsg) { p.Send(m) })
	se.mu.Unlock()
	return p
}
