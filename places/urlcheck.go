package places

import (
	"strings"

	"github.com/bmtui/bmtui/places/urls"
)

// ParseURL reports whether raw is a URL Firefox's merger accepts, and its
// scheme (lowercase, without the colon) when it is.
//
// Firefox decides local validity with the Rust `url` crate (`Url::parse`),
// an implementation of the WHATWG URL standard: a URL either parses
// (absolute, valid host for special schemes, valid port and IP literals…)
// or it does not; non-fatal validation errors do not count. We use
// urls.Canonical (places/urls), which parses with
// github.com/nlnwa/whatwg-url. Its documented gap is IDNA (no full UTS #46
// mapping), so a host that UTS #46 disallows may pass here while Firefox
// rejects it.
//
// A fast path accepts, without a full parse, the shapes that can never
// fail in the WHATWG parser (they are nearly all of a real profile's
// URLs): a lowercase scheme followed by an opaque path (place:,
// javascript:, data:, about:, mailto:…), and http(s)/ws(s)/ftp URLs whose
// host is lowercase LDH labels not ending in a numeric label, with an
// optional port ≤ 65535 and printable-ASCII rest. Everything else goes
// through urls.Canonical.
func ParseURL(raw string) (scheme string, ok bool) {
	if s, ok := fastValidURL(raw); ok {
		return s, true
	}
	href, err := urls.Canonical(raw)
	if err != nil {
		return "", false
	}
	i := strings.IndexByte(href, ':')
	if i < 0 {
		return "", false
	}
	return href[:i], true
}

var fastSpecial = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true}

// fastValidURL returns the scheme and true only for URLs the WHATWG basic
// URL parser certainly accepts; false means "not sure", not "invalid".
func fastValidURL(raw string) (string, bool) {
	// scheme: [a-z][a-z0-9+.-]* ':' (already lowercase: no rewriting)
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c == ':' {
			break
		}
		if !(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
		i++
	}
	if i == 0 || i == len(raw) {
		return "", false
	}
	scheme, rest := raw[:i], raw[i+1:]
	if !printableASCII(rest) {
		return "", false
	}
	if !fastSpecial[scheme] {
		if scheme == "file" || strings.HasPrefix(rest, "/") {
			return "", false // hierarchical: let the full parser decide
		}
		return scheme, true // opaque path: never fails
	}
	if !strings.HasPrefix(rest, "//") {
		return "", false
	}
	rest = rest[2:]
	end := strings.IndexAny(rest, "/?#\\")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	host, port := authority, ""
	if j := strings.IndexByte(authority, ':'); j >= 0 {
		host, port = authority[:j], authority[j+1:]
		if port == "" || len(port) > 5 {
			return "", false
		}
		n := 0
		for k := 0; k < len(port); k++ {
			if port[k] < '0' || port[k] > '9' {
				return "", false
			}
			n = n*10 + int(port[k]-'0')
		}
		if n > 65535 {
			return "", false
		}
	}
	if !fastHost(host) {
		return "", false
	}
	return scheme, true
}

// fastHost accepts lowercase LDH labels, no "xn--" (punycode needs
// checking), last label not purely numeric (IPv4 parsing applies).
func fastHost(h string) bool {
	if h == "" || len(h) > 253 || strings.Contains(h, "xn--") {
		return false
	}
	h = strings.TrimSuffix(h, ".")
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	numeric := true
	for k := 0; k < len(last); k++ {
		if last[k] < '0' || last[k] > '9' {
			numeric = false
			break
		}
	}
	if numeric || strings.HasPrefix(last, "0x") {
		return false
	}
	for k := 0; k < len(h); k++ {
		c := h[k]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for k := 0; k < len(s); k++ {
		if s[k] <= 0x20 || s[k] >= 0x7f {
			return false
		}
	}
	return true
}
