package collect

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places"
)

// Members are the report and the decision log Write puts in a bundle,
// made from prof's trees as loaded (a case's, to compare with the
// bundle's own); log is nil when the trees cannot be merged.
func Members(ctx context.Context, prof *load.Profile) (report, log []byte, err error) {
	sd, err := readSides(prof, false)
	if err != nil {
		return nil, nil, err
	}
	if report, _, err = validation(prof, sd); err != nil || !sd.mergeable() {
		return report, nil, err
	}
	l, _, err := decisions(ctx, sd, prof.Clocks, nil)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	err = json.NewEncoder(&b).Encode(l)
	return report, b.Bytes(), err
}

// SidesBothWays are the report and the decision log of prof's redacted
// bundle under key made from trees built from its rows (what Write does)
// and from trees read from the files again and redacted in memory (what
// Write does with irregular rows); rowsErr is the rows' road's error.
func SidesBothWays(ctx context.Context, prof *load.Profile, key []byte) (fromRows, fromFiles [2][]byte, notes [2][]string, rowsErr error) {
	in := bundle.StageInput{Places: prof.Places.DB().Snapshot().Path, Check: places.ParseURL, Key: key}
	if prof.Mirror != nil {
		in.Mirror = prof.Mirror.DB().Snapshot().Path
	}
	rs := &rowSides{prof: prof}
	in.Then = rs.then // the trees from the rows, as Write builds them
	staged, err := bundle.Stage(ctx, in)
	if err != nil {
		return fromRows, fromFiles, notes, err
	}
	both := func(sd *sides) (out [2][]byte) {
		out[0], _, _ = validation(prof, sd)
		if sd.mergeable() {
			if l, _, err := decisions(ctx, sd, prof.Clocks, nil); err == nil {
				out[1], _ = json.Marshal(l)
			}
		}
		return out
	}
	sd, err := readSides(prof, true)
	if err != nil {
		return fromRows, fromFiles, notes, err
	}
	sd.redact(prof, staged.StandIns)
	fromFiles, notes[1] = both(sd), sd.notes
	sd, rowsErr = rs.sides(staged)
	if rowsErr != nil {
		return fromRows, fromFiles, notes, rowsErr
	}
	return both(sd), fromFiles, [2][]string{sd.notes, notes[1]}, nil
}
