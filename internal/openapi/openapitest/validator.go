package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/waybillhq/waybill/internal/openapi"
)

// Validator checks exchanges against the documents of some faces. It is
// safe for concurrent use.
type Validator struct {
	faces    []string
	routers  []routers.Router
	prefixes []string // the documents' path prefixes, see Check
}

// loaded caches each face's parsed document and router for the process:
// loading and validating a document costs more than a test's requests.
var loaded sync.Map // face -> *loadResult

type loadResult struct {
	once   sync.Once
	router routers.Router
	prefix string
	err    error
}

// New returns a Validator for the documents of faces (names as in
// openapi.Faces). It fails tb when a face has no document or its document
// is not a valid OpenAPI document.
func New(tb testing.TB, faces ...string) *Validator {
	tb.Helper()
	v := &Validator{faces: faces}
	for _, face := range faces {
		router, prefix, err := load(face)
		if err != nil {
			tb.Fatal(err)
		}
		v.routers = append(v.routers, router)
		v.prefixes = append(v.prefixes, prefix)
	}
	return v
}

// load returns the router and path prefix of face's document, parsed and
// validated once for the process.
func load(face string) (routers.Router, string, error) {
	r, _ := loaded.LoadOrStore(face, &loadResult{})
	res := r.(*loadResult)
	res.once.Do(func() {
		var doc *openapi3.T
		doc, res.router, res.err = parse(face)
		if res.err == nil {
			res.prefix = pathPrefix(doc.Paths.InMatchingOrder())
		}
	})
	return res.router, res.prefix, res.err
}

// Load parses and validates the document of face, as the Validator does:
// a test that only wants to know that a document is valid calls it.
func Load(face string) (*openapi3.T, error) {
	doc, _, err := parse(face)
	return doc, err
}

func parse(face string) (*openapi3.T, routers.Router, error) {
	data, ok := openapi.Document(face)
	if !ok {
		return nil, nil, fmt.Errorf("openapi: no document for face %q (documents: %s)", face, strings.Join(openapi.Faces(), ", "))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: load %s.json: %w", face, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("openapi: %s.json is not a valid document: %w", face, err)
	}
	// The legacy router matches method and path together, as ServeMux
	// does: GET /v4/trackings/ups/retrack is the tracking numbered
	// "retrack", not a GET of the retrack operation (gorillamux stops at the
	// first path that matches and answers "method not allowed").
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: route %s.json: %w", face, err)
	}
	return doc, router, nil
}

// Exchange is one request and its response, bodies read.
type Exchange struct {
	Request      *http.Request // its Body is ignored: RequestBody is used
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// Check returns what is wrong with ex against the documents, or nil. See
// the package documentation for the rules. A request whose path is outside
// every document's prefix (the leading segments all its paths share, such
// as /v4/) belongs to another face and is not checked.
func (v *Validator) Check(ex Exchange) error {
	if !v.inScope(ex.Request.URL.Path) {
		return nil
	}
	// The documents' servers are relative ("/"): route on the path alone,
	// whether the request was seen by the server (a path) or a client (an
	// absolute URL).
	req := ex.Request.Clone(context.Background())
	req.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	req.Body = http.NoBody
	if len(ex.RequestBody) > 0 {
		req.Body = readCloser{bytes.NewReader(ex.RequestBody)}
		// The documents say so in their description: a body without a
		// Content-Type, or with curl -d's form type, is read as JSON,
		// which OpenAPI cannot express.
		if ct := req.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	route, params, err := v.findRoute(req)
	if err != nil {
		if ex.Status == http.StatusNotFound || ex.Status == http.StatusMethodNotAllowed {
			return nil // undocumented and refused: as it should be
		}
		return fmt.Errorf("answered %d but no document (%s) has this operation: %w", ex.Status, strings.Join(v.faces, ", "), err)
	}
	opts := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		SkipSettingDefaults:   true,
		AuthenticationFunc:    credentialsPresent,
	}
	// The schema's text would bury the point: name the place and the reason.
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("at /%s: %s", strings.Join(err.JSONPointer(), "/"), err.Reason)
	})
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var problems []string
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && (ex.Status < 400 || ex.Status > 499) {
		problems = append(problems, fmt.Sprintf("the document rejects the request but the server answered %d: %v", ex.Status, err))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: ex.Status, Header: ex.Header, Options: opts}
	out.SetBodyBytes(ex.ResponseBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		problems = append(problems, fmt.Sprintf("the response does not match the document: %v", err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d: %s\nresponse body: %s", ex.Status, strings.Join(problems, "\n"), excerpt(ex.ResponseBody))
	}
	return nil
}

func (v *Validator) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	var firstErr error
	for _, router := range v.routers {
		route, params, err := router.FindRoute(r)
		if err == nil {
			return route, params, nil
		}
		if firstErr == nil || errors.Is(err, routers.ErrMethodNotAllowed) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = routers.ErrPathNotFound
	}
	return nil, nil, firstErr
}

func (v *Validator) inScope(path string) bool {
	for _, p := range v.prefixes {
		if strings.HasPrefix(path+"/", p) {
			return true
		}
	}
	return false
}

// pathPrefix returns the leading whole segments that every path shares,
// ending in "/": "/v4/" for /v4/trackings and /v4/couriers.
func pathPrefix(paths []string) string {
	if len(paths) == 0 {
		return "/"
	}
	prefix := paths[0] + "/"
	for _, p := range paths[1:] {
		p += "/"
		for !strings.HasPrefix(p, prefix) {
			prefix = prefix[:strings.LastIndex(strings.TrimSuffix(prefix, "/"), "/")+1]
		}
	}
	// A template segment is no prefix: /v1/{id}/ shares only /v1/.
	if i := strings.Index(prefix, "{"); i >= 0 {
		prefix = prefix[:strings.LastIndex(prefix[:i], "/")+1]
	}
	return prefix
}

// credentialsPresent accepts a request that presents the credential a
// security scheme names (an API key header, query parameter or cookie, or
// an Authorization header): whether the key is right is the server's
// business, and its 401 is validated as any other response.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, r := in.SecurityScheme, in.RequestValidationInput.Request
	switch s.Type {
	case "apiKey":
		var present bool
		switch s.In {
		case "header":
			present = r.Header.Get(s.Name) != ""
		case "query":
			present = r.URL.Query().Get(s.Name) != ""
		case "cookie":
			_, err := r.Cookie(s.Name)
			present = err == nil
		}
		if !present {
			return fmt.Errorf("no %s %s", s.In, s.Name)
		}
	case "http":
		if !strings.HasPrefix(strings.ToLower(r.Header.Get("Authorization")), strings.ToLower(s.Scheme)+" ") {
			return fmt.Errorf("no %s Authorization header", s.Scheme)
		}
	}
	return nil
}

// excerpt shortens a body for a failure message.
func excerpt(b []byte) string {
	const max = 600
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
