//go:build !linux

package sqlmem

func hugePagesAvailable() bool { return false }

func mapBuffer(int) []byte { return nil }

func unmapBuffer([]byte) {}
