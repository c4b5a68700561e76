package collect

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/bmtui/bmtui/internal/load"
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
