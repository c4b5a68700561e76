package bundle

import (
	"testing"

	"github.com/bmtui/bmtui/places/urls"
)

func TestStandInRevHost(t *testing.T) {
	for _, u := range []string{"https://habc234.r/xyz", "file:///abc", "place:sort=1", "javascript:abc", "redacted invalid url abc", "ftp://hq.r/a"} {
		if got, want := standInRevHost(u), urls.RevHost(u); got != want {
			t.Errorf("standInRevHost(%q) = %q, want urls.RevHost's %q", u, got, want)
		}
	}
}
