package serve_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/ui"
)

const operatorOpt = `environment="BMTUI_ROLE=operator" `

func TestUnknownKeyRefused(t *testing.T) {
	known, stranger := newKey(t, "known@example"), newKey(t, "stranger@example")
	e := start(t, serve.Config{}, known.line)
	_, err := dial(t, e.addr, "mallory", gossh.PublicKeys(stranger.signer))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("unknown key got in (err %v)", err)
	}
	ev := e.events.waitEvent(t, "refused", func(ev serve.Event) bool { return ev.Kind == serve.EventRefused })
	if ev.Reason != serve.ReasonUnknownKey || ev.Fingerprint != gossh.FingerprintSHA256(stranger.signer.PublicKey()) || ev.User != "mallory" {
		t.Fatalf("refusal event %+v", ev)
	}
	// An unknown key offered before a known one does not refuse the
	// connection.
	conn, err := dial(t, e.addr, "alice", gossh.PublicKeys(stranger.signer, known.signer))
	if err != nil {
		t.Fatalf("second key not tried: %v", err)
	}
	conn.Close()
	lines := e.events.lines(t)
	if len(lines) == 0 || lines[0]["event"] != "refused" || lines[0]["reason"] != "unknown key" || lines[0]["remote"] == "" {
		t.Fatalf("audit log %v", lines)
	}
}

func TestPasswordRefused(t *testing.T) {
	known := newKey(t, "known@example")
	e := start(t, serve.Config{}, known.line)
	_, err := dial(t, e.addr, "alice", gossh.Password("hunter2"))
	if err == nil {
		t.Fatal("password login accepted")
	}
	// The server does not even offer passwords: the client has nothing
	// to try after "none".
	if !strings.Contains(err.Error(), "no supported methods remain") {
		t.Fatalf("password login: %v", err)
	}
	first := e.events.waitEvent(t, "refusal", func(ev serve.Event) bool {
		return ev.Kind == serve.EventRefused && ev.Reason == serve.ReasonNoKey && ev.User == "alice"
	})
	_, err = dial(t, e.addr, "alice", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		return nil, nil
	}))
	if err == nil {
		t.Fatal("keyboard-interactive login accepted")
	}
	// Clients do not send methods the server does not offer, so what is
	// audited is a connection that offered no key.
	e.events.waitEvent(t, "second refusal", func(ev serve.Event) bool {
		return ev.Kind == serve.EventRefused && ev.Reason == serve.ReasonNoKey && ev.User == "alice" && ev.Remote != first.Remote
	})
}

func TestRoles(t *testing.T) {
	viewer, op := newKey(t, "watcher@example"), newKey(t, "helper@example")
	e := start(t, serve.Config{Redact: true}, viewer.line, operatorOpt+op.line)
	v := connect(t, e.addr, "vera", viewer, 100, 20)
	v.waitFor("role=viewer user=vera")
	v.waitFor("redacted=true")
	o := connect(t, e.addr, "otto", op, 100, 20)
	o.waitFor("role=operator user=otto")
	o.waitFor("redacted=false")
	got := e.srv.Sessions()
	if len(got) != 2 {
		t.Fatalf("sessions %+v", got)
	}
	if got[0].User != "vera" || got[0].Role != serve.Viewer || got[0].Fingerprint != gossh.FingerprintSHA256(viewer.signer.PublicKey()) ||
		got[0].KeyComment != "watcher@example" || got[0].Term != "xterm-256color" || got[0].Since.IsZero() || got[0].Remote == "" {
		t.Fatalf("viewer session %+v", got[0])
	}
	if got[1].User != "otto" || got[1].Role != serve.Operator || got[1].Name() != "otto (helper@example)" {
		t.Fatalf("operator session %+v", got[1])
	}
	o.send("q")
	o.wait(5 * time.Second)
	e.events.waitEvent(t, "leave", func(ev serve.Event) bool { return ev.Kind == serve.EventLeave && ev.User == "otto" })
	if n := len(e.srv.Sessions()); n != 1 {
		t.Fatalf("%d sessions after one left", n)
	}
}

// TestRoleReload: the authorized keys file is read again when it changes.
func TestRoleReload(t *testing.T) {
	k := newKey(t, "helper@example")
	e := start(t, serve.Config{}, k.line)
	c := connect(t, e.addr, "h", k, 80, 10)
	c.waitFor("role=viewer")
	c.close()
	if err := os.WriteFile(e.keys, []byte(operatorOpt+k.line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = connect(t, e.addr, "h", k, 80, 10)
	c.waitFor("role=operator")
	c.close()
	if err := os.WriteFile(e.keys, []byte("# nobody\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dial(t, e.addr, "h", gossh.PublicKeys(k.signer)); err == nil {
		t.Fatal("removed key still accepted")
	}
}

func TestSessionTerminal(t *testing.T) {
	k := newKey(t, "")
	e := start(t, serve.Config{}, k.line)
	c := connect(t, e.addr, "u", k, 91, 17, "NO_COLOR=1")
	c.waitFor("size=91x17 nocolor=true")
	c.resize(120, 33)
	c.waitFor("size=120x33")
	// No command, no terminal: refused.
	conn, err := dial(t, e.addr, "u", gossh.PublicKeys(k.signer))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, _ := conn.NewSession()
	out, err := s.CombinedOutput("rm -rf /")
	if err == nil || !strings.Contains(string(out), "runs no commands") {
		t.Fatalf("command: %v %q", err, out)
	}
	s, _ = conn.NewSession()
	out, err = s.CombinedOutput("")
	if err == nil || !strings.Contains(string(out), "needs a terminal") {
		t.Fatalf("no pty: %v %q", err, out)
	}
}

func TestMaxSessions(t *testing.T) {
	k := newKey(t, "")
	e := start(t, serve.Config{MaxSessions: 2}, k.line)
	a := connect(t, e.addr, "a", k, 80, 10)
	a.waitFor("user=a")
	b := connect(t, e.addr, "b", k, 80, 10)
	b.waitFor("user=b")
	c := connect(t, e.addr, "c", k, 80, 10)
	err := c.wait(5 * time.Second)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("third session ended with %v", err)
	}
	if !strings.Contains(c.errOutput(), "2 sessions are open") {
		t.Fatalf("refusal message %q", c.errOutput())
	}
	e.events.waitEvent(t, "over cap", func(ev serve.Event) bool {
		return ev.Kind == serve.EventRefused && ev.Reason == serve.ReasonTooMany && ev.User == "c"
	})
	// A place frees up when one leaves.
	a.send("q")
	a.wait(5 * time.Second)
	e.events.waitEvent(t, "leave", func(ev serve.Event) bool { return ev.Kind == serve.EventLeave && ev.User == "a" })
	d := connect(t, e.addr, "d", k, 80, 10)
	d.waitFor("user=d")
}

func TestIdleTimeout(t *testing.T) {
	k := newKey(t, "")
	const idle = 400 * time.Millisecond
	e := start(t, serve.Config{IdleTimeout: idle}, k.line)
	busy := connect(t, e.addr, "busy", k, 80, 10)
	lazy := connect(t, e.addr, "lazy", k, 80, 10)
	busy.waitFor("user=busy")
	lazy.waitFor("user=lazy")
	start := time.Now()
	// busy types (a key the model ignores) more often than the timeout.
	stop := time.After(3 * idle)
typing:
	for {
		select {
		case <-stop:
			break typing
		case <-time.After(idle / 4):
			busy.send("x")
		}
	}
	lazy.wait(5 * time.Second)
	if !strings.Contains(lazy.errOutput(), "without input") {
		t.Fatalf("idle message %q", lazy.errOutput())
	}
	ev := e.events.waitEvent(t, "idle leave", func(ev serve.Event) bool { return ev.Kind == serve.EventLeave && ev.User == "lazy" })
	if ev.Reason != serve.ReasonIdle || ev.Duration < idle || time.Since(start) < idle {
		t.Fatalf("leave %+v", ev)
	}
	for _, s := range e.srv.Sessions() {
		if s.User == "lazy" {
			t.Fatal("idle session still listed")
		}
	}
	if len(e.srv.Sessions()) != 1 {
		t.Fatalf("busy session was ended too: %+v", e.srv.Sessions())
	}
}

func TestHostKeyGeneratedAndReused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nested", "ssh_host_ed25519_key")
	k := newKey(t, "")
	e1 := start(t, serve.Config{HostKeyPath: path}, k.line)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %#o", fi.Mode().Perm())
	}
	if e1.srv.HostKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key type %s", e1.srv.HostKey().Type())
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(pub), bytes.TrimSpace(gossh.MarshalAuthorizedKey(e1.srv.HostKey()))) {
		t.Fatal(".pub does not match")
	}
	// The client sees that key.
	var seen gossh.PublicKey
	conn, err := gossh.Dial("tcp", e1.addr, &gossh.ClientConfig{
		User: "u", Auth: []gossh.AuthMethod{gossh.PublicKeys(k.signer)},
		HostKeyCallback: func(_ string, _ netAddr, key gossh.PublicKey) error { seen = key; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if !bytes.Equal(seen.Marshal(), e1.srv.HostKey().Marshal()) {
		t.Fatal("client saw another host key")
	}
	e2 := start(t, serve.Config{HostKeyPath: path}, k.line)
	if !bytes.Equal(e1.srv.HostKey().Marshal(), e2.srv.HostKey().Marshal()) {
		t.Fatal("host key not reused")
	}
	// A key others can read is refused.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := serve.LoadHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable host key: %v", err)
	}
}

func TestListenRefusesRemote(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte(newKey(t, "").line+"\n"), 0o600)
	cfg := serve.Config{AuthorizedKeysPath: keys, HostKeyPath: filepath.Join(dir, "hk"), ModelFactory: testFactory}
	for _, addr := range []string{"0.0.0.0:2222", ":2222", "192.0.2.1:22", "[::]:2222", "example.com:22"} {
		cfg.Listen = addr
		if _, err := serve.New(cfg); err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("%s: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:2222", "[::1]:2222", "localhost:2222", "127.0.0.2:22"} {
		cfg.Listen = addr
		if _, err := serve.New(cfg); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	cfg.Listen, cfg.AllowRemote = "0.0.0.0:2222", true
	if _, err := serve.New(cfg); err != nil {
		t.Errorf("allowed remote: %v", err)
	}
	cfg.AllowRemote = false
	cfg.Listen = ""
	cfg.AuthorizedKeysPath = filepath.Join(dir, "missing")
	if _, err := serve.New(cfg); err == nil || !strings.Contains(err.Error(), "nobody could log in") {
		t.Errorf("missing authorized keys: %v", err)
	}
}

// TestHubSharedAcrossSessions: a change by one operator reaches every
// session; viewers cannot change; one operator applies at a time.
func TestHubSharedAcrossSessions(t *testing.T) {
	op1, op2, viewer := newKey(t, "one"), newKey(t, "two"), newKey(t, "watcher")
	release := make(chan struct{}) // holds alice's apply until closed
	e := start(t, serve.Config{Hub: serve.NewHub(0), ModelFactory: gatedFactory(release)}, operatorOpt+op1.line, operatorOpt+op2.line, viewer.line)
	a := connect(t, e.addr, "alice", op1, 100, 10)
	b := connect(t, e.addr, "bob", op2, 100, 10)
	v := connect(t, e.addr, "vera", viewer, 100, 10)
	for _, c := range []*client{a, b, v} {
		c.waitFor("value=0")
	}
	a.send("u")
	for _, c := range []*client{a, b, v} {
		c.waitFor("value=1")
	}
	v.send("u")
	v.waitFor("read-only session")
	if got := e.srv.Hub().Snapshot(); got.Value != 1 || got.Version != 1 || got.By != "alice (one)" {
		t.Fatalf("hub %+v", got)
	}
	e.events.waitEvent(t, "choose action", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "choose" && ev.User == "alice"
	})

	a.send("a")
	for _, c := range []*client{a, b, v} {
		c.waitFor(`applying="alice (one)"`)
	}
	b.send("a")
	b.waitFor("apply: alice (one) is applying")
	v.send("a")
	v.waitFor("apply: read-only session")
	close(release)
	a.waitFor("apply: done")
	b.waitFor(`applying=""`)
	if e.srv.Hub().Applying() != "" {
		t.Fatal("lock still held")
	}
	// Now bob may apply.
	b.send("a")
	b.waitFor("apply: done")
	e.events.waitEvent(t, "apply audit", func(ev serve.Event) bool {
		return ev.Kind == serve.EventAction && ev.Action == "apply" && ev.User == "bob" && ev.Detail == "done"
	})
}

func TestShutdownEndsSessions(t *testing.T) {
	k := newKey(t, "")
	e := start(t, serve.Config{}, k.line)
	c := connect(t, e.addr, "u", k, 80, 10)
	c.waitFor("user=u")
	ctx, cancel := contextWithTimeout(5 * time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	c.wait(5 * time.Second)
	e.events.waitEvent(t, "shutdown leave", func(ev serve.Event) bool {
		return ev.Kind == serve.EventLeave && ev.Reason == serve.ReasonShutdown
	})
}

// TestRedactedViewerSession: with Redact, viewers see placeholders in the
// real app, operators the real titles; only operators may pick other
// sources (their titles are real).
func TestRedactedViewerSession(t *testing.T) {
	p := demoProfile(t)
	viewer, op := newKey(t, "watcher"), newKey(t, "helper")
	sources := func(*load.Profile) *ui.CompareInput {
		return &ui.CompareInput{Sources: []source.Entry{{ID: "places"}, {ID: "mirror"}, {ID: "backup:2026-11-01", Kind: source.Backup}}}
	}
	e := start(t, serve.Config{Redact: true, ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "demo", Sources: sources})},
		viewer.line, operatorOpt+op.line)
	v := connect(t, e.addr, "vera", viewer, 120, 40)
	o := connect(t, e.addr, "otto", op, 120, 40)
	v.waitFor("Folder ")
	v.waitFor("profile (redacted)")
	o.waitFor("▸ Work")
	o.waitFor("profile demo")
	for _, secret := range []string{"Work", "Recipes", "MDN", "Shared page"} {
		if strings.Contains(v.scr.String(), secret) {
			t.Fatalf("viewer sees %q:\n%s", secret, v.scr.String())
		}
	}
	// The problems are still there.
	v.waitFor("remote: 9 problems")
	o.waitFor("s pick source")
	if strings.Contains(v.scr.String(), "pick source") {
		t.Fatalf("viewer may pick sources:\n%s", v.scr.String())
	}
}
