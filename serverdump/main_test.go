package serverdump_test

import (
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestMain runs the benchmarks in a process like bmtui's own (its heap
// in huge pages).
func TestMain(m *testing.M) { testutil.MainAsBmtui(m) }
