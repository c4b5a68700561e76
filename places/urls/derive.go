package urls

import "strings"

// RevHost returns moz_places.rev_host the way Firefox's JS computes it
// (PlacesUtils.getReversedHost, also used for the mirror's urls.revHost):
// the WHATWG `URL.host` reversed, with a trailing ".". The port and IPv6
// brackets are kept; a URL without a host (place:, javascript:, data:,
// about:, file:///…) or an unparsable one gives ".".
func RevHost(url string) string {
	h := []rune(hostOf(url))
	for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
		h[i], h[j] = h[j], h[i]
	}
	return string(h) + "."
}

// prefixScanLimit is how many bytes Firefox's get_prefix searches for ':'.
const prefixScanLimit = 64

// Prefix is Firefox's SQL get_prefix(url), the moz_origins.prefix of a page:
// the scheme and ':' (the first ':' within the first 64 bytes), plus "//"
// when those two characters follow; "" when there is no such colon.
func Prefix(url string) string {
	i := strings.IndexByte(url[:min(len(url), prefixScanLimit)], ':')
	if i < 0 {
		return ""
	}
	if strings.HasPrefix(url[i+1:], "//") {
		return url[:i+3]
	}
	return url[:i+1]
}

// HostAndPort is Firefox's SQL get_host_and_port(url), the moz_origins.host
// of a page: what follows Prefix(url) up to the first '/', '?' or '#',
// without any userinfo (everything up to the last '@'). Case and port are
// kept as written.
func HostAndPort(url string) string {
	s := url[len(Prefix(url)):]
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
