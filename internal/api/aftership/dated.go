package aftership

import "net/http"

// datedVersion is the dated API generation Waybill serves.
const datedVersion = "2026-07"

// datedBase is the path prefix of the dated API.
const datedBase = "/tracking/" + datedVersion

// datedHeaders are the key headers the dated API accepts: as-api-key only.
// The legacy aftership-api-key is refused there, as AfterShip does.
var datedHeaders = []string{"as-api-key"}

// Dated rate limits, requests per second per key and endpoint, as AfterShip
// documents them for the dated versions.
const (
	rateCreate      = 20
	rateList        = 6
	rateByID        = 5
	rateRetrack     = 5
	rateComplete    = 5
	rateDetect      = 3
	rateCouriers    = 5
	rateConnections = 5
)

// dated guards a dated handler: the as-api-version header is set before
// anything else runs, so that refusals (401, 429, 4xx) carry it too; each
// endpoint has its own rate-limit bucket.
func (a *API) dated(endpoint string, perSecond float64, h handler) http.HandlerFunc {
	guarded := a.guard(datedHeaders, "dated:"+endpoint, perSecond, a.writeErrorDated, h)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("as-api-version", datedVersion)
		guarded(w, r)
	}
}

func (a *API) registerDated(mux *http.ServeMux) {
	const b = datedBase
	mux.HandleFunc("POST "+b+"/trackings", a.dated("create-tracking", rateCreate, a.createDated))
	mux.HandleFunc("GET "+b+"/trackings", a.dated("list-trackings", rateList, a.listDated))
	mux.HandleFunc("GET "+b+"/trackings/{id}", a.dated("get-tracking", rateByID, a.getDated))
	mux.HandleFunc("PUT "+b+"/trackings/{id}", a.dated("update-tracking", rateByID, a.updateDated))
	mux.HandleFunc("DELETE "+b+"/trackings/{id}", a.dated("delete-tracking", rateByID, a.deleteDated))
	mux.HandleFunc("POST "+b+"/trackings/{id}/retrack", a.dated("retrack-tracking", rateRetrack, a.retrackDated))
	mux.HandleFunc("POST "+b+"/trackings/{id}/mark-as-completed", a.dated("complete-tracking", rateComplete, a.markCompletedDated))

	mux.HandleFunc("GET "+b+"/couriers", a.dated("couriers", rateCouriers, a.couriersDated))
	mux.HandleFunc("POST "+b+"/couriers/detect", a.dated("detect-courier", rateDetect, a.detectDated))

	mux.HandleFunc("GET "+b+"/courier-connections", a.dated("list-connections", rateConnections, a.listConnectionsDated))
	mux.HandleFunc("POST "+b+"/courier-connections", a.dated("create-connection", rateConnections, a.createConnectionDated))
	mux.HandleFunc("GET "+b+"/courier-connections/{id}", a.dated("get-connection", rateConnections, a.getConnectionDated))
	// The SDK's putCourierConnectionsById sends PATCH.
	mux.HandleFunc("PATCH "+b+"/courier-connections/{id}", a.dated("update-connection", rateConnections, a.updateConnectionDated))
	mux.HandleFunc("DELETE "+b+"/courier-connections/{id}", a.dated("delete-connection", rateConnections, a.deleteConnectionDated))

	// Anything else under the base (an unknown path, or a known path with
	// a method it does not serve) is answered in the envelope, so that
	// clients parse the refusal as they parse every other.
	mux.HandleFunc(b+"/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("as-api-version", datedVersion)
		writeEnvelope(w, http.StatusNotFound, meta{404, "The URI requested is invalid or the resource requested does not exist.", typeNotFound}, nil)
	})
}
