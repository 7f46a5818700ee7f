package httpserver

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
)

// ReadBody reads a request body of at most limit bytes, for every face. A
// larger body gives ETOOLARGE (each face answers 413 in its own format); a
// body that cannot be read gives EINVALID with ReasonInvalidJSON.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
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
