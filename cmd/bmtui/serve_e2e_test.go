package main

import (
	"bytes"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
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
	bin := buildBinary(t)
	dir := testutil.Profile(t, "twoway", "before")
	dbs := []string{filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite")}
	before := hashFiles(t, dbs)
	out, login := serveOverSSH(t, bin, "--profile", dir, "--local-time", "1795397988", "--remote-time", "1700007200")

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

// serveOverSSH runs `bmtui serve` (bin) with args on a free port, with an
// operator's and a viewer's key, and returns its console and how to log
// in with the real OpenSSH client in tmux as "operator" or "viewer". It
// skips without tmux or OpenSSH.
func serveOverSSH(t *testing.T, bin string, args ...string) (*syncBuffer, func(name string) *tmuxSession) {
	t.Helper()
	for _, tool := range []string{"tmux", "ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
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

	out := &syncBuffer{}
	srv := exec.Command(bin, append([]string{"serve", "--listen", addr, "--authorized-keys", authorized,
		"--host-key", filepath.Join(keys, "host_key")}, args...)...)
	srv.Stdout, srv.Stderr = out, out
	tmp := t.TempDir()
	srv.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// Stopped as a service manager stops it: it must remove its snapshots.
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		exited := make(chan struct{})
		go func() { srv.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
			<-exited
			t.Error("bmtui serve did not stop on SIGTERM")
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("bmtui serve left %s in its temporary folder", left[0].Name())
		}
	})
	waitUntil(t, "the server to listen", func() bool { return strings.Contains(out.String(), "bmtui serving") })

	logins := 0
	return out, func(name string) *tmuxSession {
		logins++
		return newTmux(t, fmt.Sprintf("ssh-%s-%d", name, logins), "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "IdentitiesOnly=yes", "-i", filepath.Join(keys, name), "-p", port, name+"@127.0.0.1")
	}
}

// TestEndToEndServeSalvage runs `bmtui serve` on a profile too damaged
// to open: the sessions start on the salvage screen; once the operator
// wrote the salvage, every session shows the salvaged profile's explorer,
// as the local app does, and the salvage is on disk.
func TestEndToEndServeSalvage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	bin := buildBinary(t)
	dir := unpackDamagedProfile(t, "a-bookmarks-leaf")
	out, login := serveOverSSH(t, bin, "--profile", dir)
	if !strings.Contains(out.String(), "serving the salvage preview") {
		t.Fatalf("the profile opened:\n%s", out.String())
	}
	viewer := login("viewer")
	viewer.waitText("Rebuilt tree")
	operator := login("operator")
	operator.waitText("W write")
	operator.keys("W")
	operator.waitText("Write the salvaged places.sqlite?")
	operator.keys("y")
	for _, s := range []*tmuxSession{operator, viewer} {
		s.waitText("showing the salvaged profile")
		s.waitText("Local (Places)")
	}
	if code, _, stderr := runCLI(t, "tree", "--profile", dir); code != exitOK {
		t.Fatalf("the salvaged profile does not open: exit %d, %s", code, stderr)
	}
	// A later session starts from the salvaged profile.
	late := login("viewer")
	late.waitText("Local (Places)")
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
