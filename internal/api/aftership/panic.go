package aftership

import (
	"net/http"
	"strings"
)

// PathPrefixes are the paths of both AfterShip generations; the server
// answers a panic there with WriteInternalError.
func (a *API) PathPrefixes() []string { return []string{"/v4/", datedBase + "/"} }

// WriteInternalError answers a request whose handler panicked: 500 in
// AfterShip's envelope (and, on the dated API, with its version header).
func (a *API) WriteInternalError(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, datedBase+"/") {
		w.Header().Set("as-api-version", datedVersion)
	}
	writeEnvelope(w, http.StatusInternalServerError, meta{500, "Something went wrong on our side.", typeInternalError}, nil)
}
