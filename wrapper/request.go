package wrapper

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/clerklists/clerklists/gen"
)

// newRequest returns a request that carries ctx for path under serverURL,
// with body sent as application/json when it is not nil. serverURL is a
// normalised base URL ending in "/". path is relative, such as
// "allowlist_identifiers", with its path parameters escaped and its query
// encoded.
//
// The URL is the one the generated request builders produce. They parse
// serverURL and resolve the path against it on every attempt, three URL
// parses where newRequest needs one.
func newRequest(ctx context.Context, method, serverURL, path string, body []byte) (*http.Request, error) {
	target := serverURL + path
	if !isConcatenable(serverURL) {
		resolved, err := resolveOperationURL(serverURL, path)
		if err != nil {
			return nil, err
		}
		target = resolved
	}

	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// isConcatenable reports whether appending a path to serverURL gives the
// same URL as resolving the path against it. That holds when serverURL is
// in escaped form and has no "." or ".." segment. Otherwise the two differ.
// Resolving drops dot segments. And when the base URL has a byte that needs escaping, net/url
// escapes the whole appended path again, which turns the escaped "/" of an
// identifier ID such as "a/b" back into a path separator.
func isConcatenable(serverURL string) bool {
	for i := 0; i < len(serverURL); i++ {
		if !isEscapedURLByte(serverURL[i]) {
			return false
		}
	}
	// A dot segment can only follow a slash and, because serverURL ends in
	// "/", is always followed by one.
	return !strings.Contains(serverURL, "/./") && !strings.Contains(serverURL, "/../")
}

// isEscapedURLByte reports whether b may appear unescaped in the scheme,
// host or path of a URL: the unreserved and sub-delimiter characters of RFC
// 3986, ":", "@", "/", "%" of an escape, and the brackets of an IPv6 host.
func isEscapedURLByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/%[]", b) >= 0
}

// resolveOperationURL resolves path against serverURL the way the generated
// request builders do.
func resolveOperationURL(serverURL, path string) (string, error) {
	base, err := url.Parse(serverURL)
	if err != nil {
		return "", err
	}
	resolved, err := base.Parse("./" + path)
	if err != nil {
		return "", err
	}
	return resolved.String(), nil
}

// identifierPath returns the path of one identifier in a collection such as
// "allowlist_identifiers", with the identifier ID escaped as one path
// segment, as the generated builders escape it.
func identifierPath(collection, identifierID string) string {
	return collection + "/" + url.PathEscape(identifierID)
}

// listAllowlistPath returns the path and query of ListAllowlistIdentifiers.
// The parameters come in the generated builder's order: paginated, limit,
// offset. A nil query or one without values adds no "?".
func listAllowlistPath(query *gen.ListAllowlistIdentifiersParams) string {
	const path = "allowlist_identifiers"
	if query == nil {
		return path
	}

	var b strings.Builder
	b.WriteString(path)
	separator := byte('?')
	add := func(name, value string) {
		b.WriteByte(separator)
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
		separator = '&'
	}
	if query.Paginated != nil {
		add("paginated", strconv.FormatBool(*query.Paginated))
	}
	if query.Limit != nil {
		add("limit", strconv.Itoa(*query.Limit))
	}
	if query.Offset != nil {
		add("offset", strconv.Itoa(*query.Offset))
	}
	return b.String()
}
