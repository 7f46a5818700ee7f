package httpserver

import (
	"errors"
	"io"
	"net/http"

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
