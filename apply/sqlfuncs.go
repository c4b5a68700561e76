package apply

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/base64"
	"net/url"
	"strings"

	"modernc.org/sqlite"

	"github.com/bmtui/bmtui/places/urls"
)

// SQL functions Firefox registers on its Places connection and that the
// apply's SQL (a transcription of Firefox's) calls. They are registered
// under bmtui_ names so they can never clash with another package's.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("bmtui_get_prefix", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := textArg(args[0])
		if !ok {
			return nil, nil
		}
		return urls.Prefix(s), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("bmtui_get_host_and_port", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := textArg(args[0])
		if !ok {
			return nil, nil
		}
		return urls.HostAndPort(s), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("bmtui_get_query_param", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		q, ok1 := textArg(args[0])
		name, ok2 := textArg(args[1])
		if !ok1 || !ok2 {
			return nil, nil
		}
		v, ok := queryParam(q, name)
		if !ok {
			return nil, nil
		}
		return v, nil
	})
	sqlite.MustRegisterScalarFunction("bmtui_generate_guid", 0, func(_ *sqlite.FunctionContext, _ []driver.Value) (driver.Value, error) {
		return NewGUID(), nil
	})
}

// NewGUID returns a fresh Places GUID: 9 random bytes in base64url, as
// Firefox's generate_guid() makes them.
func NewGUID() string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func textArg(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// queryParam is Firefox's get_query_param(query, name): the decoded value
// of the first name=value pair of an &-separated query string.
func queryParam(q, name string) (string, bool) {
	for _, part := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k == name {
			if d, err := url.QueryUnescape(v); err == nil {
				return d, true
			}
			return v, true
		}
	}
	return "", false
}
