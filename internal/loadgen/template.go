package loadgen

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// Placeholder is replaced, in a Template's URL and body, by the request
// number, so that each request can be unique (a new tracking number).
const Placeholder = "{{n}}"

// Template returns a Request that sends method to url with headers and
// body, after replacing every Placeholder in url and body with the request
// number n. headers is cloned per request and not modified.
func Template(method, url string, headers http.Header, body string) Request {
	urlParts := strings.Split(url, Placeholder)
	bodyParts := bytes.Split([]byte(body), []byte(Placeholder))
	return func(n int64) (*http.Request, error) {
		num := strconv.AppendInt(nil, n, 10)
		u := url
		if len(urlParts) > 1 {
			u = strings.Join(urlParts, string(num))
		}
		var b []byte
		if body != "" {
			b = bodyParts[0]
			if len(bodyParts) > 1 {
				b = bytes.Join(bodyParts, num)
			}
		}
		r, err := http.NewRequest(method, u, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		r.Header = headers.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		return r, nil
	}
}
