package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmtui/bmtui/mergeview"
)

// tmuxSession runs the built binary in a private tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "e2e") }

func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// waitFor polls the screen until ok accepts it.
func (s *tmuxSession) waitFor(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), func(scr string) bool { return strings.Contains(scr, text) })
}

var decidedRe = regexp.MustCompile(`✓ (\d+) decided`)

func decided(scr string) int {
	m := decidedRe.FindStringSubmatch(scr)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestEndToEndResolveConflict builds bmtui, runs it on the demo profile in
// tmux, opens the merge screen, flips the first conflict, undoes it, and
// quits, reading the real screen at each step.
func TestEndToEndResolveConflict(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	s := newTmux(t, "e2e", "env", "TERM=xterm-256color", bin, "--demo")

	s.waitText("Local (Places)")
	s.keys("m")
	scr := s.waitFor("the merge screen with its merged pane and a default choice", func(scr string) bool {
		return strings.Contains(scr, "Conflicts · 1 of") && strings.Contains(scr, "Merged ·") && strings.Contains(scr, "in effect, default")
	})
	if n := decided(scr); n != 0 {
		t.Fatalf("%d conflicts decided before any choice:\n%s", n, scr)
	}
	// The first conflict is listed with its alternatives; pick the one that
	// is not in effect.
	alt := "1"
	if strings.Contains(lineWith(scr, "[1]"), "in effect") {
		alt = "2"
	}
	s.keys(alt)
	// Wait for the whole screen to say so: a capture can catch the
	// terminal halfway through a redraw.
	s.waitFor(fmt.Sprintf("choice [%s] decided and in effect", alt), func(scr string) bool {
		return decided(scr) == 1 && strings.Contains(lineWith(scr, "["+alt+"]"), "in effect")
	})
	s.keys("u")
	s.waitFor("the choice undone", func(scr string) bool { return decided(scr) == 0 })
	s.keys("q")
	s.waitExit()
}

// waitExit waits until the command in the pane has exited.
func (s *tmuxSession) waitExit() {
	s.t.Helper()
	s.waitFor("bmtui to exit", func(string) bool {
		return strings.TrimSpace(s.tmux("display-message", "-p", "-t", "e2e", "#{pane_dead}")) == "1"
	})
}

// needTmux skips an end-to-end test in -short mode or without tmux.
func needTmux(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test in -short mode")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
}

// buildBinary builds bmtui into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bmtui")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// newTmux starts a command in its own tmux server, 180x45, and keeps the
// pane after the command exits so it can still be read.
func newTmux(t *testing.T, name string, command ...string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, socket: fmt.Sprintf("bmtui-%s-%d", name, os.Getpid())}
	s.tmux(append([]string{"new-session", "-d", "-s", "e2e", "-x", "180", "-y", "45"}, command...)...)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.tmux("set-option", "-t", "e2e", "remain-on-exit", "on")
	return s
}

// lineWith returns the first screen line containing s.
func lineWith(scr, s string) string {
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestEndToEndSaveSession opens the merge screen directly, flips a conflict,
// quits, and checks the session file the screen saved.
func TestEndToEndSaveSession(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	session := filepath.Join(t.TempDir(), "session.json")
	s := newTmux(t, "save", "env", "TERM=xterm-256color", bin, "merge", "--tui", "--demo", "--save-resolutions", session)
	scr := s.waitFor("the first conflict with its default choice", func(scr string) bool {
		return strings.Contains(scr, "Conflicts · 1 of") && strings.Contains(scr, "in effect, default")
	})
	alt := "1"
	if strings.Contains(lineWith(scr, "[1]"), "in effect") {
		alt = "2"
	}
	s.keys(alt)
	s.waitFor("one decided conflict", func(scr string) bool { return decided(scr) == 1 })
	s.keys("q")
	s.waitExit()
	f, err := os.Open(session)
	if err != nil {
		t.Fatalf("no session saved: %v\n%s", err, s.screen())
	}
	defer f.Close()
	saved, err := mergeview.ReadSession(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Resolutions) != 1 || saved.Resolutions[0].Choice == "" || saved.Local.Items == 0 {
		t.Fatalf("saved session %+v", saved)
	}
}

// TestEndToEndSignalsRemoveSnapshots closes bmtui's terminal (SIGHUP) or
// kills it (SIGTERM) while it shows a profile: it must still remove its
// temporary copies of the profile, which hold the user's bookmarks.
func TestEndToEndSignalsRemoveSnapshots(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			s := newTmux(t, "sig", "env", "TERM=xterm-256color", "TMPDIR="+tmp, bin, "--demo")
			s.waitText("Local (Places)")
			if left, _ := os.ReadDir(tmp); len(left) == 0 {
				t.Fatal("bmtui made no temporary copies: the test would prove nothing")
			}
			pid, err := strconv.Atoi(strings.TrimSpace(s.tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}")))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			s.waitExit()
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("after %v, %s is left in the temporary folder", sig, left[0].Name())
			}
		})
	}
}
