package testutil

import "github.com/bmtui/bmtui/internal/replay"

// Replay is one side's builder input with every record already parsed
// (package replay, which the timing harness links without testutil).
type Replay = replay.Side

// ReplayParent is one parent record.
type ReplayParent = replay.Parent

// Replays are both sides of a fixture, compiled.
type Replays = replay.Sides

// LoadReplays streams a fixture's two inputs (replay.Load).
func LoadReplays(path string) (*Replays, error) { return replay.Load(path) }
