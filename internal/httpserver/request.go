package httpserver

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
)

// ReadBody reads a request body of at most limit bytes, for every face. A
// larger body gives ETOOLARGE (each face answers 413 in its own format); a
// body that cannot be read gives EINVALID with ReasonInvalidJSON.
//
// Every face reads JSON: a body whose Content-Type names another type
// (text/xml, text/plain, multipart) gives EMEDIATYPE, which each face
// answers with 415. A missing Content-Type is read as JSON, as
// AfterShip-style clients that leave it out expect; so is application/json
// with any parameters, and application/x-www-form-urlencoded, which is
// what `curl -d '{...}'` sends when no -H 'Content-Type: ...' is given
// (the README's own commands do that).
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := ReadAnyBody(w, r, limit)
	if err != nil || len(data) == 0 {
		return data, err
	}
	if ct := r.Header.Get("Content-Type"); !IsJSONMediaType(ct) {
		return nil, waybill.Errorf(waybill.EMEDIATYPE, "The request body must be JSON: send Content-Type: application/json, or none, not %q.", ct)
	}
	return data, nil
}

// IsJSONMediaType reports whether a request with this Content-Type header
// is read as JSON: none at all, application/json with any parameters, or
// curl -d's default application/x-www-form-urlencoded.
func IsJSONMediaType(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "application/x-www-form-urlencoded"
}

// ReadAnyBody is ReadBody whatever the Content-Type: for bodies whose
// sender we do not control (another platform's webhooks).
func ReadAnyBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, waybill.Errorf(waybill.ETOOLARGE, "The request body is larger than %d bytes.", limit)
	} else if err != nil {
		return nil, waybill.Invalid(waybill.ReasonInvalidJSON, "The request body could not be read.")
	}
	return data, nil
}

// APIKey returns the first non-blank value among the named headers, in
// order: how every face finds the caller's key.
func APIKey(r *http.Request, headers ...string) string {
	for _, name := range headers {
		if key := strings.TrimSpace(r.Header.Get(name)); key != "" {
			return key
		}
	}
	return ""
}

// AdminKeyHeaders are the headers Waybill's own /v1 routes read the
// organization's key from.
var AdminKeyHeaders = []string{"as-api-key", "aftership-api-key"}
