package urls

import (
	"strings"
	"testing"
)

func TestHashVectors(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"http://www.example.com", 0x72262c1a3496},
		{"http://user:pass@foo:21/bar;par?b#c", 0x722661d218a7},
		{"https://github.com/mozilla/application-services/", 0x2b12e7bd7fcd},
		{"place:transition=7&sort=4", 0xf434ac2b2daf},
		{"blob:36c6ded1-6190-45f4-8fcd-355d1b6c9f48", 0x26120a431050},
		{"www.example.com", 0x8b149337},
		{"data:image/png;base64," + strings.Repeat("iVBORw0KGgoAAA", 500), 0x9736d65d86d9},
		{"https://www.mozilla.org/", 0x2b126e0a14cd},
		{"https://example.com/", 0x2b123f4a7047},
		{"http://example.com/", 0x7226354edb2d},
		{"place:parent=toolbar_____", 0xf434e9135957},
		{"place:tag=foo", 0xf434761252dd},
		{"about:blank", 0x9fa54ca789c6},
		{"file:///home/user/a.html", 0xc7c9382a8b41},
		{"javascript:alert(1)", 0x37a8768f5d17},
		{"", 0},
	}
	for _, tt := range tests {
		if got := Hash(tt.in); got != tt.want {
			t.Errorf("Hash(%.40q) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

func TestPrefixRange(t *testing.T) {
	tests := []struct {
		scheme string
		lo     uint64
	}{
		{"http", 0x7226 << 32}, {"https", 0x2b12 << 32}, {"place", 0xf434 << 32},
		{"file", 0xc7c9 << 32}, {"moz-extension", 0xce8e << 32}, {"javascript", 0x37a8 << 32},
	}
	for _, tt := range tests {
		if got := PrefixLo(tt.scheme); got != tt.lo {
			t.Errorf("PrefixLo(%q) = %#x, want %#x", tt.scheme, got, tt.lo)
		}
		if got := PrefixHi(tt.scheme); got != tt.lo+0xFFFFFFFF {
			t.Errorf("PrefixHi(%q) = %#x", tt.scheme, got)
		}
	}
	if h := Hash("place:sort=8"); h < PrefixLo("place") || h > PrefixHi("place") {
		t.Errorf("a place: URL hashes outside the place range")
	}
}
