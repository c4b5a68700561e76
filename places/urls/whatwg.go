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
