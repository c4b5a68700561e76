package places

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FirefoxRunning reports whether a Firefox process holds the profile in
// profileDir (a profile folder, or a file inside it such as places.sqlite).
//
//   - Linux (and other Unixes except macOS): Firefox keeps a symlink named
//     "lock" whose target is "<ip>:+<pid>". The profile counts as in use
//     when that pid is alive (signal 0; EPERM also means alive). A dangling
//     lock left by a crash names a dead pid and is ignored.
//   - macOS (and also checked elsewhere): ".parentlock" is locked with
//     fcntl while Firefox runs; F_GETLK reports the holder's pid. Best
//     effort: a lock held by this very process is invisible to F_GETLK.
//
// Reading still works while Firefox runs (Open reads a snapshot); the UI
// should say "Firefox is running: showing a snapshot". The pid of a lock
// made on another machine (a profile on a network drive) is probed locally
// all the same. err is set only when the profile folder is unusable or the
// lock symlink cannot be read; running is still best effort then.
func FirefoxRunning(profileDir string) (running bool, pid int, err error) {
	if fi, serr := os.Stat(profileDir); serr == nil && !fi.IsDir() {
		profileDir = filepath.Dir(profileDir)
	}
	if fi, serr := os.Stat(profileDir); serr != nil {
		return false, 0, fmt.Errorf("profile folder %s: %w", profileDir, serr)
	} else if !fi.IsDir() {
		return false, 0, fmt.Errorf("profile folder %s is not a folder", profileDir)
	}

	lockPath := filepath.Join(profileDir, "lock")
	if fi, lerr := os.Lstat(lockPath); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, rerr := os.Readlink(lockPath)
		if rerr != nil {
			err = fmt.Errorf("profile lock %s: %w", lockPath, rerr)
		} else if p, ok := parseLockTarget(target); ok && processAlive(p) {
			return true, p, nil
		}
	} else if lerr != nil && !errors.Is(lerr, fs.ErrNotExist) {
		err = fmt.Errorf("profile lock %s: %w", lockPath, lerr)
	}

	if p, ok := fcntlLockHolder(filepath.Join(profileDir, ".parentlock")); ok {
		return true, p, nil
	}
	return false, 0, err
}

// parseLockTarget reads the pid from a lock symlink target such as
// "127.0.1.1:+12345".
func parseLockTarget(target string) (int, bool) {
	i := strings.LastIndex(target, ":+")
	if i < 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(target[i+2:])
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}
