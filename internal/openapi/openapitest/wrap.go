package openapitest

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Handler returns next with every exchange checked against v's documents
// and violations reported to tb with Errorf. The response is buffered and
// checked before it is sent, so a client has its answer only once the
// check is done; handlers that stream or flush are not supported.
//
// tb must outlive the server's requests; in a fuzz target, whose *testing.F
// cannot report, use Client or Transport with the target's *testing.T.
func (v *Validator) Handler(tb testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			tb.Errorf("openapitest: %s %s: read request body: %v", r.Method, r.URL.Path, err)
		}
		r.Body = readCloser{bytes.NewReader(body)}
		rec := &recorder{header: w.Header()}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		if err := v.Check(Exchange{Request: r, RequestBody: body, Status: rec.status, Header: rec.header, ResponseBody: rec.body.Bytes()}); err != nil {
			tb.Errorf("openapitest: %s %s: %v", r.Method, r.URL.RequestURI(), err)
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder buffers a response; its header map is the real writer's.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Transport returns a RoundTripper that sends requests with base
// (http.DefaultTransport when nil) and checks every exchange against v's
// documents, reporting violations to tb with Errorf.
func (v *Validator) Transport(tb testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper{v: v, tb: tb, base: base}
}

// Client returns an http.Client whose every exchange is checked against
// v's documents and reported to tb.
func (v *Validator) Client(tb testing.TB) *http.Client {
	return &http.Client{Transport: v.Transport(tb, nil)}
}

type roundTripper struct {
	v    *Validator
	tb   testing.TB
	base http.RoundTripper
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	res, err := rt.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	if err := rt.v.Check(Exchange{Request: req, RequestBody: body, Status: res.StatusCode, Header: res.Header, ResponseBody: resBody}); err != nil {
		rt.tb.Errorf("openapitest: %s %s: %v", req.Method, req.URL.RequestURI(), err)
	}
	return res, nil
}
