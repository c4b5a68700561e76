package redact

import (
	"net/url"
	"strings"
	"testing"
)

// parsedHost is what hostOf must give: url.Parse's Hostname in lowercase.
func parsedHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

var hostCases = []string{
	"https://developer.mozilla.org/en-US/docs/Web", "HTTP://Example.COM/", "http://user:pw@[::1]:8080/x?y#z",
	"ftp://ftp.example.org/pub", "wss://chat.example/", "http://exa mple.com/", "http://a?b/c", "http://a#x/y",
	"http://a.b-/", "http:///path", "http://", "1http://a/", "h+t.t-p://a/", "http://a/%zz", "http://a/%41",
	"http://a:80/", "http://a:x/", "http://A-B.c/", "http://a_b/", "http://a/b c", "http://a\x7f/",
	"http://a/\xff", "http://%41/", "ht%tp://a/", "http:/a/", "http://a//b", "http://a?", "http://a/?x?",
}

func TestHostOf(t *testing.T) {
	for _, raw := range hostCases {
		if got, want := hostOf(raw), parsedHost(raw); got != want {
			t.Errorf("hostOf(%q) = %q, url.Parse says %q", raw, got, want)
		}
	}
}

func FuzzHostOf(f *testing.F) {
	for _, raw := range hostCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if got, want := hostOf(raw), parsedHost(raw); got != want {
			t.Fatalf("hostOf(%q) = %q, url.Parse says %q", raw, got, want)
		}
	})
}
