package dupes

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/edit"
)

// FixCounts sums what a previewed fix does.
type FixCounts struct {
	Removed  int // items removed, everything in removed folders included
	Moved    int
	Restored int // folders put back
	// Records Firefox uploads at its next sync, Tombstones among them.
	Records, Tombstones int
}

// CountFix sums res.
func CountFix(res *edit.Result) FixCounts {
	var c FixCounts
	for _, st := range res.Steps {
		switch st.Op {
		case edit.Delete:
			c.Removed += st.Removed
		case edit.Move:
			c.Moved++
		case edit.Insert:
			c.Restored++
		}
	}
	c.Records, c.Tombstones = res.Upload.Len(), len(res.Upload.Tombstones)
	return c
}

// PreviewLines says what a fix does, for people: the counts, the upload,
// then the steps, at most limit of them (limit <= 0: all).
func PreviewLines(res *edit.Result, limit int) []string {
	c := CountFix(res)
	lines := []string{
		fmt.Sprintf("removes %d items, moves %d, restores %d folders", c.Removed, c.Moved, c.Restored),
		fmt.Sprintf("Firefox will upload %d records at its next sync: %d tombstones (the other devices drop those copies), %d changed items, %d folders",
			c.Records, c.Tombstones, len(res.Upload.Items), len(res.Upload.Parents)),
	}
	for i, st := range res.Steps {
		if limit > 0 && i == limit {
			lines = append(lines, fmt.Sprintf("… and %d more changes", len(res.Steps)-limit))
			break
		}
		lines = append(lines, st.Text)
	}
	return lines
}
