package aftership

import "net/http"

// datedVersion is the dated API generation Waybill serves.
const datedVersion = "2026-07"

func (a *API) registerDated(mux *http.ServeMux) {}
