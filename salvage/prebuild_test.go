package salvage_test

import (
	"encoding/json"
	"testing"

	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
)

// TestPrebuiltSameResult: Rebuild of a scanned profile, which takes the
// sources the scan prebuilt, decides exactly what a second Rebuild of the
// same input decides from sources it builds itself (the first took the
// prebuilt ones, so the second cannot see what the first changed).
func TestPrebuiltSameResult(t *testing.T) {
	for _, name := range damagedCases {
		t.Run(name, func(t *testing.T) {
			in, err := scan.Profile(unpackDamaged(t, name))
			if err != nil {
				t.Fatal(err)
			}
			opts := salvage.Options{Now: 1_800_000_000_000_000}
			first, err := salvage.Rebuild(in, opts)
			if err != nil {
				t.Fatal(err)
			}
			second, err := salvage.Rebuild(in, opts)
			if err != nil {
				t.Fatal(err)
			}
			a, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(second)
			if string(a) != string(b) {
				t.Fatalf("prebuilt and built sources decide differently:\n%.2000s\n%.2000s", a, b)
			}
			if len(first.DB.Bookmarks) <= 6 {
				t.Fatalf("nothing rebuilt: %d bookmark rows", len(first.DB.Bookmarks))
			}
		})
	}
}
