package serverdump

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitArray: on every valid JSON array, splitArray cuts the same
// elements as encoding/json; on anything else it fails or cuts pieces
// that the element decoder then judges.
func FuzzSplitArray(f *testing.F) {
	for _, s := range []string{`[]`, `[1]`, ` [ {"a":"]"} , "x\\"]" ,[[],{}] ] `, `[1,]`, `[,1]`, `["\\\\"]`, `[{]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := splitArray(data)
		var want []json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil { // not an array (null is not one either)
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d elements, want %d", data, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], bytes.TrimSpace(want[i])) {
				t.Fatalf("%q: element %d %q, want %q", data, i, got[i], want[i])
			}
		}
	})
}
