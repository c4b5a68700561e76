package main

import (
	"bytes"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/testutil"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEndToEndServeApply runs `bmtui serve` on a profile and logs in with
// the real OpenSSH client: a viewer opens the merge screen but cannot
// apply; an operator applies, and the profile is then merged.
func TestEndToEndServeApply(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	for _, tool := range []string{"tmux", "ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	bin := buildBinary(t)
	dir := testutil.Profile(t, "twoway", "before")
	dbs := []string{filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite")}
	before := hashFiles(t, dbs)

	keys := t.TempDir()
	key := func(name string) string {
		p := filepath.Join(keys, name)
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@test", "-f", p).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		pub, err := os.ReadFile(p + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(pub))
	}
	opPub, viewerPub := key("operator"), key("viewer")
	authorized := filepath.Join(keys, "authorized_keys")
	if err := os.WriteFile(authorized, []byte(`environment="BMTUI_ROLE=operator" `+opPub+"\n"+viewerPub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)

	var out syncBuffer
	srv := exec.Command(bin, "serve", "--profile", dir, "--listen", addr, "--authorized-keys", authorized,
		"--host-key", filepath.Join(keys, "host_key"), "--local-time", "1795397988", "--remote-time", "1700007200")
	srv.Stdout, srv.Stderr = &out, &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	waitUntil(t, "the server to listen", func() bool { return strings.Contains(out.String(), "bmtui serving") })

	login := func(name string) *tmuxSession {
		return newTmux(t, "ssh-"+name, "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-i", filepath.Join(keys, name), "-p", port, name+"@127.0.0.1")
	}

	viewer := login("viewer")
	scr0 := viewer.waitText("Local (Places)")
	if strings.Contains(leftColumns(scr0, 90), remoteOnly) {
		t.Fatalf("the Local pane lists %q before the apply:\n%s", remoteOnly, scr0)
	}
	viewer.keys("m")
	scr := viewer.waitText("Conflicts ·")
	if strings.Contains(scr, "A apply") {
		t.Errorf("the viewer's help offers apply:\n%s", scr)
	}
	viewer.keys("A")
	time.Sleep(500 * time.Millisecond)
	if scr := viewer.screen(); strings.Contains(scr, "Apply this merge?") {
		t.Fatalf("a viewer got the apply dialog:\n%s", scr)
	}
	if !maps.Equal(before, hashFiles(t, dbs)) {
		t.Fatal("the profile changed after a viewer's keys")
	}

	operator := login("operator")
	operator.waitText("Local (Places)")
	operator.keys("m")
	operator.waitText("Conflicts ·")
	operator.keys("A")
	operator.waitText("Apply this merge?")
	operator.keys("y")
	waitUntil(t, "the apply to finish", func() bool { return strings.Contains(out.String(), "applied in") })
	operator.waitText("applied: the merge is written")
	if maps.Equal(before, hashFiles(t, dbs)) {
		t.Fatal("the operator's apply changed nothing")
	}
	if last, err := apply.LastBackup(dir); err != nil || last == "" {
		t.Fatalf("no backup after the apply: %q, %v", last, err)
	}
	// The profile is now merged: opening it again shows Firefox's merged tree.
	code, stdout, stderr := runCLI(t, "tree", "--profile", dir)
	if code != exitOK || !strings.Contains(stdout, "bmkRemoteNw1") {
		t.Fatalf("merged profile: exit %d, %s\n%s", code, stderr, stdout)
	}
	// Every session now shows the merged profile: the viewer is back on
	// the explorer, whose Local pane lists the bookmark only the mirror
	// had (bmkRemoteNw1).
	viewer.waitFor("the merged profile on the viewer's screen", func(scr string) bool {
		return strings.Contains(leftColumns(scr, 90), remoteOnly) && strings.Contains(scr, "Local (Places)")
	})
	viewer.waitText("showing the merged profile")
	operator.waitFor("the merged profile on the operator's screen", func(scr string) bool {
		return strings.Contains(leftColumns(scr, 90), remoteOnly)
	})

	// Applying the reloaded profile is not refused as changed since the
	// preview.
	operator.keys("m")
	operator.waitText("Conflicts ·")
	operator.keys("A")
	operator.waitText("Apply this merge?")
	operator.keys("y")
	waitUntil(t, "the second apply to finish", func() bool {
		return strings.Count(out.String(), ": apply done") == 2 || strings.Contains(out.String(), ": apply failed")
	})
	if strings.Contains(out.String(), ": apply failed") {
		t.Fatalf("the second apply failed:\n%s", out.String())
	}
	if scr := operator.waitText("applied: the merge is written"); strings.Contains(scr, "not applied") {
		t.Fatalf("second apply:\n%s", scr)
	}
	for _, who := range []string{"viewer@test", "operator@test"} {
		if !strings.Contains(out.String(), who) {
			t.Errorf("the host console does not name %s:\n%s", who, out.String())
		}
	}
}

// remoteOnly is the title of twoway's bookmark that only the Sync mirror
// has before a merge (bmkRemoteNw1).
const remoteOnly = "Remote new bookmark"

// leftColumns is the screen's first n columns: the explorer's Local pane
// when n is half the width.
func leftColumns(scr string, n int) string {
	var b strings.Builder
	for _, l := range strings.Split(scr, "\n") {
		r := []rune(l)
		b.WriteString(string(r[:min(len(r), n)]))
		b.WriteByte('\n')
	}
	return b.String()
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
