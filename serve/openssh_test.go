package serve_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/sync/tree"
)

// demoProfile loads a fresh demo profile.
func demoProfile(t testing.TB) *load.Profile {
	t.Helper()
	at := time.Unix(1700007200, 0)
	dir, err := demo.Create(filepath.Join(t.TempDir(), "demo"), at)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Open(paths, tree.Clocks{Local: at, Remote: at})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// tmux runs tmux on a private socket.
type tmux struct {
	t      *testing.T
	socket string
}

func (m tmux) run(args ...string) string {
	m.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", m.socket}, args...)...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (m tmux) capture() string { return m.run("capture-pane", "-p", "-t", "s") }

// waitCapture waits until ok accepts the pane's text.
func (m tmux) waitCapture(what string, ok func(string) bool) string {
	m.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var c string
	for time.Now().Before(deadline) {
		c = m.capture()
		if ok(c) {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatalf("%s: pane shows\n%s", what, c)
	return ""
}

// sshArgs are the options every ssh run gets: no user configuration, no
// agent, no known hosts.
func sshArgs(port, key string) []string {
	return []string{"-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "LogLevel=ERROR", "-i", key, "-p", port}
}

// TestOpenSSH drives the real OpenSSH client in tmux against the server
// serving the demo profile.
func TestOpenSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("OpenSSH end-to-end test skipped with -short")
	}
	for _, tool := range []string{"tmux", "ssh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("OpenSSH end-to-end test needs %s, which is not installed", tool)
		}
	}
	p := demoProfile(t)
	op, stranger := newKey(t, "helper@example"), newKey(t, "stranger@example")
	e := start(t, serve.Config{ModelFactory: app.Factory(app.NewSource(p), app.Options{ProfileName: "demo", Now: func() time.Time { return time.Unix(1700007200, 0) }})},
		operatorOpt+op.line)
	opKey, strangerKey := filepath.Join(e.dir, "op_key"), filepath.Join(e.dir, "stranger_key")
	op.writeFile(t, opKey)
	stranger.writeFile(t, strangerKey)
	_, port, _ := strings.Cut(e.addr, ":")

	m := tmux{t: t, socket: "bmtui-test-" + strconv.Itoa(os.Getpid())}
	cmd := "ssh " + strings.Join(sshArgs(port, opKey), " ") + " -t -o SendEnv=NO_COLOR alice@127.0.0.1"
	m.run("new-session", "-d", "-s", "s", "-x", "120", "-y", "36", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", m.socket, "kill-server").Run() })

	// The tree appears.
	first := m.waitCapture("explorer", func(c string) bool {
		return strings.Contains(c, "Local (Places)") && strings.Contains(c, "Remote (Sync mirror)") && strings.Contains(c, "▾ Bookmarks Menu")
	})
	if s := e.srv.Sessions(); len(s) != 1 || s[0].User != "alice" || s[0].Role != serve.Operator || s[0].Term == "" {
		t.Fatalf("sessions %+v", s)
	}
	// Keys work: moving down changes the selection (and the details).
	m.run("send-keys", "-t", "s", "j")
	second := m.waitCapture("after j", func(c string) bool { return c != first })
	// Expanding shows more rows of the tree.
	m.run("send-keys", "-t", "s", "L")
	m.waitCapture("after L", func(c string) bool { return c != second && nonEmptyLines(c) >= nonEmptyLines(second) })

	// A resize redraws for the new size.
	m.run("resize-window", "-t", "s", "-x", "90", "-y", "24")
	m.waitCapture("after resize", func(c string) bool {
		lines := strings.Split(strings.TrimRight(c, "\n"), "\n")
		for _, l := range lines {
			if len([]rune(strings.TrimRight(l, " "))) > 90 {
				return false
			}
		}
		return len(lines) <= 24 && strings.Contains(c, "Local (Places)") && strings.Contains(lines[len(lines)-1], "down") && strings.Contains(lines[0], "Local (Places) · 101 items")
	})
	m.run("send-keys", "-t", "s", "q")
	e.events.waitEvent(t, "leave", func(ev serve.Event) bool { return ev.Kind == serve.EventLeave && ev.User == "alice" })

	// An unknown key is refused.
	out, err := exec.Command("ssh", append(sshArgs(port, strangerKey), "-o", "BatchMode=yes", "mallory@127.0.0.1", "true")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied (publickey)") {
		t.Fatalf("unknown key: %v\n%s", err, out)
	}
	e.events.waitEvent(t, "unknown key refusal", func(ev serve.Event) bool {
		return ev.Kind == serve.EventRefused && ev.Reason == serve.ReasonUnknownKey && ev.User == "mallory"
	})
	// So is a password login.
	out, err = exec.Command("ssh", append(sshArgs(port, strangerKey), "-o", "BatchMode=yes",
		"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "pat@127.0.0.1", "true")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("password: %v\n%s", err, out)
	}
	e.events.waitEvent(t, "password refusal", func(ev serve.Event) bool {
		return ev.Kind == serve.EventRefused && ev.User == "pat"
	})
}

func nonEmptyLines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
