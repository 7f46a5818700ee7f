package onport

import (
	"net/http"

	"github.com/waybillhq/waybill"
)

// PathPrefixes are the paths of Onport's API and its asynchronous
// endpoints; the server answers a panic there with WriteInternalError.
func (a *API) PathPrefixes() []string { return []string{"/api/", "/webhooks/custom-channels/"} }

// WriteInternalError answers a request whose handler panicked: 500 in
// Onport's envelope.
func (a *API) WriteInternalError(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusInternalServerError, errorBody{Message: "Something went wrong on our side.", Code: waybill.EINTERNAL})
}
