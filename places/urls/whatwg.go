package urls

import (
	"errors"
	"fmt"
	"strings"

	whatwg "github.com/nlnwa/whatwg-url/url"
)

// ErrInvalidURL means a string is not a valid absolute URL.
var ErrInvalidURL = errors.New("invalid URL")

// parser is stateless once built; sharing it is safe.
var parser = whatwg.NewParser()

// Canonical parses rawURL as a WHATWG URL and returns its serialization
// (the `href`), as Firefox stores it in moz_places.url and the mirror's
// urls.url. It fails when the string is not a valid absolute URL, which is
// how the mirror decides that a bookmark's bmkUri is unparsable.
func Canonical(rawURL string) (string, error) {
	if alreadyCanonical(rawURL) {
		return rawURL, nil
	}
	u, err := parser.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrInvalidURL, rawURL, err)
	}
	return u.Href(false), nil
}

// IsQuery reports whether url is a Places query (`place:` scheme), the
// same test Firefox makes with its url_hash prefix range.
func IsQuery(url string) bool {
	return len(url) >= 6 && strings.EqualFold(url[:6], "place:")
}

// hostOf returns the WHATWG `URL.host` (host plus ":port" when the port is
// not the scheme's default), or "" when the URL has no host or is invalid.
func hostOf(rawURL string) string {
	u, err := parser.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host()
}

// alreadyCanonical reports, without a full parse (4 µs a URL, most of
// exporting a 40k backup), that rawURL is an http(s) URL the WHATWG
// parser returns unchanged: lowercase scheme, a host of lowercase ASCII
// labels that IDNA leaves alone and that cannot be read as an IPv4
// address, no user, no port, a path without dot segments, and only
// characters no part of it percent-encodes or rewrites. false means "not
// sure". FuzzCanonicalFastPath checks it against the parser.
func alreadyCanonical(u string) bool {
	var rest string
	switch {
	case strings.HasPrefix(u, "https://"):
		rest = u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		rest = u[len("http://"):]
	default:
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return false // no host, or no path (the parser adds "/")
	}
	host := rest[:slash]
	for _, label := range strings.Split(host, ".") {
		if label == "" || strings.HasPrefix(label, "xn--") {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	// A last label that may be read as a number makes the host an IPv4
	// address: it must start with a letter, as top-level domains do.
	if last := host[strings.LastIndexByte(host, '.')+1:]; last[0] < 'a' || last[0] > 'z' {
		return false
	}
	tail := rest[slash:]
	if strings.Contains(tail, "/.") || strings.Contains(tail, "%2e") || strings.Contains(tail, "%2E") {
		return false // dot segments, perhaps
	}
	part := byte('/') // path, then '?' query, then '#' fragment
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&()*+,;=:@/%", c) >= 0:
		case c == '\'' && part == '/':
		case c == '?' && part == '/':
			part = '?'
		case c == '#' && part != '#':
			part = '#'
		default:
			return false
		}
	}
	return true
}
