// Package tracker is the Tracker API face (LynkUp, modelled on Delivery
// Solutions; seeds/001): /api/v2/tracker. It reads the vendor's JSON into
// waybill.TrackerInput, hands it to the tracker core (internal/trackers)
// and renders the core's answer in the vendor's shapes, errors included
// ({"type", "message", "severity", "errors"}). It decides nothing itself.
//
// The vendor does not publish its tracker paths; these follow the /api/v2
// scheme of its order API (docs/TRACKERS.md).
package tracker

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/trackers"
)

// Trackers is what the face needs of the tracker core.
type Trackers interface {
	Create(ctx context.Context, orgID int64, in waybill.TrackerInput) (trackers.View, error)
	Get(ctx context.Context, orgID int64, externalID string) (trackers.View, error)
	List(ctx context.Context, orgID int64, f waybill.TrackerFilter) ([]trackers.View, int, error)
	Update(ctx context.Context, orgID int64, externalID string, in waybill.TrackerInput) (trackers.View, error)
	Cancel(ctx context.Context, orgID int64, externalID string) (trackers.View, error)
}

var _ Trackers = (*trackers.Service)(nil)

// Authenticator resolves an API key to its organization.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (waybill.Organization, error)
}

// API serves /api/v2/tracker.
type API struct {
	Trackers     Trackers
	Auth         Authenticator
	MaxBodyBytes int64
	// PublicURL is the base of the links a tracker carries (its page).
	PublicURL string
	Logger    *slog.Logger
	// AuthThrottle limits failed authentications per client address (nil:
	// no limit); it is shared by every face.
	AuthThrottle *httpserver.AuthThrottle
}

// Register adds the Tracker API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v2/tracker", a.handle(a.create))
	mux.HandleFunc("GET /api/v2/tracker", a.handle(a.list))
	mux.HandleFunc("GET /api/v2/tracker/{trackerExternalId}", a.handle(a.get))
	mux.HandleFunc("PUT /api/v2/tracker/{trackerExternalId}", a.handle(a.update))
	mux.HandleFunc("DELETE /api/v2/tracker/{trackerExternalId}", a.handle(a.cancel))
	mux.HandleFunc("/api/v2/tracker/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, waybill.Errorf(waybill.ENOTFOUND, "The requested resource does not exist."))
	})
}

// PathPrefixes are the paths the face serves.
func (a *API) PathPrefixes() []string { return []string{"/api/v2/tracker"} }

// WriteInternalError answers a request whose handler panicked, in the
// vendor's envelope.
func (a *API) WriteInternalError(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusInternalServerError, errorJSON{Type: typeInternal, Message: internalMessage, Severity: transient,
		Errors: []errorEntry{{Type: typeInternal, Message: internalMessage}}})
}

// handler serves one route for an authenticated organization; an error it
// returns is written by handle and must not follow a write.
type handler func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error

func (a *API) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, err := a.authenticate(w, r)
		if err == nil {
			err = h(w, r, org)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	}
}

// authenticate checks the x-api-key header (a Waybill API key) and the
// tenantId header (the key's organization, by id or name). Anything
// missing or wrong is EUNAUTHORIZED, and counts toward the client
// address's budget of failures.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (waybill.Organization, error) {
	var org waybill.Organization
	err := a.AuthThrottle.Authenticate(w, r, func() error {
		key := httpserver.APIKey(r, "x-api-key")
		if key == "" {
			return waybill.Errorf(waybill.EUNAUTHORIZED, "Missing Api Key: send it in the x-api-key header.")
		}
		var err error
		if org, err = a.Auth.Authenticate(r.Context(), key); err != nil {
			if waybill.ErrorCode(err) == waybill.EUNAUTHORIZED {
				return waybill.Errorf(waybill.EUNAUTHORIZED, "Invalid Api Key!")
			}
			return err
		}
		tenant := strings.TrimSpace(r.Header.Get("tenantId"))
		if tenant == "" {
			return waybill.Errorf(waybill.EUNAUTHORIZED, "Missing tenantId: send the organization's id or name in the tenantId header.")
		}
		if tenant != org.Name && tenant != strconv.FormatInt(org.ID, 10) {
			return waybill.Errorf(waybill.EUNAUTHORIZED, "The tenantId is not the Api Key's tenant.")
		}
		return nil
	})
	return org, err
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
	return nil
}
