package heapgoal

import "testing"

// A GOGC the user set wins; otherwise a small input gets the tighter goal.
func TestPercent(t *testing.T) {
	if got := percent(true); got != 0 {
		t.Errorf("with GOGC set: %d, want 0 (keep the user's)", got)
	}
	if got := percent(false); got != SmallInputPercent || got >= 100 {
		t.Errorf("without GOGC: %d, want %d, below Go's 100", got, SmallInputPercent)
	}
}
