package apply

import (
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestMain runs the benchmarks in a process like bmtui's own.
func TestMain(m *testing.M) { testutil.MainAsBmtui(m) }
