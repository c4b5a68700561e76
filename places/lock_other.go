//go:build !unix

package places

// processAlive cannot be checked here; a lock names a running Firefox.
func processAlive(pid int) bool { return pid > 0 }

func fcntlLockHolder(path string) (int, bool) { return 0, false }
