package serve_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/bmtui/bmtui/serve"
)

// testKey is a client key pair.
type testKey struct {
	signer gossh.Signer
	priv   ed25519.PrivateKey
	line   string // the public key as an authorized_keys line, no options
}

func newKey(t testing.TB, comment string) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + comment
	return testKey{signer: signer, priv: priv, line: line}
}

// writeFile writes the private key in OpenSSH's format (for ssh -i).
func (k testKey) writeFile(t testing.TB, path string) {
	t.Helper()
	block, err := gossh.MarshalPrivateKey(k.priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

// events collects the audit log and the OnEvent calls.
type events struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	list []serve.Event
}

func (e *events) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.buf.Write(p)
}

func (e *events) on(ev serve.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

// lines decodes the audit log.
func (e *events) lines(t testing.TB) []map[string]any {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(e.buf.Bytes()))
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("audit log is not JSON lines: %v\n%s", err, e.buf.String())
		}
		out = append(out, m)
	}
	return out
}

// waitEvent waits for an event matching ok.
func (e *events) waitEvent(t testing.TB, what string, ok func(serve.Event) bool) serve.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for _, ev := range e.list {
			if ok(ev) {
				e.mu.Unlock()
				return ev
			}
		}
		e.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t.Fatalf("no %s event; got %+v", what, e.list)
	return serve.Event{}
}

// env is a server under test.
type env struct {
	srv    *serve.Server
	addr   string
	dir    string
	keys   string // authorized_keys path
	events *events
}

// start runs a server with the authorized keys lines given, on a free
// loopback port. cfg's paths and audit fields are filled in.
func start(t testing.TB, cfg serve.Config, authorized ...string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{dir: dir, keys: filepath.Join(dir, "authorized_keys"), events: &events{}}
	if err := os.WriteFile(e.keys, []byte(strings.Join(authorized, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AuthorizedKeysPath = e.keys
	if cfg.HostKeyPath == "" {
		cfg.HostKeyPath = filepath.Join(dir, "host", "ssh_host_ed25519_key")
	}
	cfg.AuditLog = e.events
	cfg.OnEvent = e.events.on
	if cfg.ModelFactory == nil {
		cfg.ModelFactory = testFactory
	}
	srv, err := serve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	<-srv.Ready()
	e.srv, e.addr = srv, srv.Addr().String()
	return e
}

// client is one in-process SSH client with a PTY.
type client struct {
	t      testing.TB
	conn   *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	mu     sync.Mutex
	out    bytes.Buffer
	stderr bytes.Buffer
	scr    *screen
	ch     chan struct{} // pinged on new output
	done   chan error
}

func dial(t testing.TB, addr, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
}

// connect logs in with k and opens a shell with a w×h PTY.
func connect(t testing.TB, addr, user string, k testKey, w, h int, envs ...string) *client {
	t.Helper()
	conn, err := dial(t, addr, user, gossh.PublicKeys(k.signer))
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	c := &client{t: t, conn: conn, scr: newScreen(w, h), ch: make(chan struct{}, 1), done: make(chan error, 1)}
	t.Cleanup(c.close)
	c.sess, err = conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range envs {
		k, v, _ := strings.Cut(kv, "=")
		if err := c.sess.Setenv(k, v); err != nil {
			t.Fatalf("setenv %s: %v", k, err)
		}
	}
	if err := c.sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	c.stdin, _ = c.sess.StdinPipe()
	c.sess.Stdout = writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		c.out.Write(p)
		c.mu.Unlock()
		c.scr.Write(p)
		select {
		case c.ch <- struct{}{}:
		default:
		}
		return len(p), nil
	})
	c.sess.Stderr = writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		c.stderr.Write(p)
		c.mu.Unlock()
		return len(p), nil
	})
	if err := c.sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.sess.Wait() }()
	return c
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (c *client) close() {
	c.sess.Close()
	c.conn.Close()
}

func (c *client) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

func (c *client) errOutput() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// outLen is how much output arrived so far.
func (c *client) outLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Len()
}

// waitFor waits until the screen shows s.
func (c *client) waitFor(s string) {
	c.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if strings.Contains(c.scr.String(), s) {
			return
		}
		select {
		case <-c.ch:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("no %q on the screen:\n%s\n(unknown CSI %v)", s, c.scr.String(), c.scr.unknownCSI)
		}
	}
}

// resize changes the terminal's size.
func (c *client) resize(w, h int) {
	c.t.Helper()
	c.scr.mu.Lock()
	c.scr.resize(w, h)
	c.scr.mu.Unlock()
	if err := c.sess.WindowChange(h, w); err != nil {
		c.t.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, s); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// wait waits for the session to end.
func (c *client) wait(d time.Duration) error {
	c.t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(d):
		c.t.Fatalf("session still open after %s", d)
		return nil
	}
}

// testModel shows the session's role and the shared state, and acts on
// keys: u increments the shared counter, a applies (until release, if
// any, is closed), q quits.
type testModel struct {
	s       *serve.Session
	release chan struct{}
	shared  serve.StateMsg
	status  string
	w, h    int
	noColor bool
}

type appliedMsg struct{ err error }

func testFactory(s *serve.Session) tea.Model { return gatedFactory(nil)(s) }

// gatedFactory makes models whose applies wait until release is closed.
func gatedFactory(release chan struct{}) func(*serve.Session) tea.Model {
	return func(s *serve.Session) tea.Model {
		return &testModel{s: s, release: release, shared: s.Hub().Snapshot(), noColor: s.NoColor()}
	}
}

func (m *testModel) Init() tea.Cmd { return nil }

func (m *testModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case serve.StateMsg:
		m.shared = msg
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case appliedMsg:
		if msg.err != nil {
			m.status = "apply: " + msg.err.Error()
		} else {
			m.status = "apply: done"
		}
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q":
			return m, tea.Quit
		case "u":
			_, err := m.s.Update(func(old any) (any, error) {
				n, _ := old.(int)
				return n + 1, nil
			})
			if err != nil {
				m.status = "update: " + err.Error()
			} else {
				m.s.Record("choose", "counter")
			}
		case "a":
			return m, func() tea.Msg {
				return appliedMsg{m.s.Apply(func() error {
					if m.release != nil {
						<-m.release
					}
					return nil
				})}
			}
		}
	}
	return m, nil
}

func (m *testModel) View() tea.View {
	n, _ := m.shared.Value.(int)
	i := m.s.Info()
	v := tea.NewView(fmt.Sprintf("role=%s user=%s value=%d applying=%q size=%dx%d nocolor=%v redacted=%v\nstatus=%s\n",
		i.Role, i.User, n, m.shared.Applying, m.w, m.h, m.noColor, m.s.Redacted(), m.status))
	v.AltScreen = true
	return v
}

type netAddr = net.Addr

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func publicKeys(k testKey) gossh.AuthMethod { return gossh.PublicKeys(k.signer) }
