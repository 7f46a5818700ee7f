package onport

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/store"
)

// Commerce is what the face needs of the commerce core.
type Commerce interface {
	ApplyNow(ctx context.Context, ch waybill.Channel, w commerce.Write) (*waybill.InboundResult, error)
	Ship(ctx context.Context, orgID, purchaseID int64, in commerce.ShipInput) (waybill.Dropshipment, error)
	AcknowledgeDropshipment(ctx context.Context, orgID, id int64) (waybill.Dropshipment, error)
	Channel(ctx context.Context, orgID, id int64) (waybill.Channel, error)
	ChannelByHash(ctx context.Context, hash string) (waybill.Channel, error)
}

// Inbound stores an asynchronous message durably; Submit returns once it is
// committed.
type Inbound interface {
	Submit(ctx context.Context, msg *waybill.InboundMessage) error
}

// Authenticator resolves an API key to its organization.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (waybill.Organization, error)
}

var _ Commerce = (*commerce.Service)(nil)

// API serves Onport's synchronous and asynchronous endpoints.
type API struct {
	Commerce     Commerce
	Store        *store.Store // reads (listings, side-loading)
	Inbound      Inbound
	Auth         Authenticator
	Throttle     *Throttle
	MaxBodyBytes int64
	PublicURL    string
	Logger       *slog.Logger
}

// Register adds every Onport route to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, r := range resources {
		mux.HandleFunc("GET /api/"+r.name+".json", a.bearer(a.list(r)))
		mux.HandleFunc("GET /api/"+r.name+"/{file}", a.bearer(a.get(r)))
	}
	mux.HandleFunc("POST /api/channels/{id}/manual-sale.json", a.bearer(a.channelWrite(waybill.InboundManualSale)))
	mux.HandleFunc("POST /api/channels/{id}/import-connector-variant-batches.json", a.bearer(a.channelWrite(waybill.InboundProducts)))
	mux.HandleFunc("PUT /api/channels/{id}/acknowledge-variant-batches.json", a.bearer(a.channelWrite(waybill.InboundAcknowledge)))
	mux.HandleFunc("PUT /api/channels/{id}/disconnect-variant-batches.json", a.bearer(a.channelWrite(waybill.InboundDisconnect)))
	mux.HandleFunc("POST /api/purchases/{id}/ship.json", a.bearer(a.ship))
	mux.HandleFunc("PUT /api/dropshipments/{id}/acknowledge.json", a.bearer(a.acknowledge))

	mux.HandleFunc("POST /webhooks/custom-channels/manual-sale.json", a.inbound(waybill.InboundManualSale))
	mux.HandleFunc("POST /webhooks/custom-channels/products.json", a.inbound(waybill.InboundProducts))
	mux.HandleFunc("PUT /webhooks/custom-channels/acknowledge-inventory-feed-variant-batches.json", a.inbound(waybill.InboundAcknowledge))
	mux.HandleFunc("PUT /webhooks/custom-channels/disconnect-inventory-feed-variant-batches.json", a.inbound(waybill.InboundDisconnect))
}

type authed func(w http.ResponseWriter, r *http.Request, org waybill.Organization)

// bearer authenticates with Authorization: Bearer <key> and throttles per
// token (before authentication, so that guessing is throttled too).
func (a *API) bearer(h authed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		key := ""
		if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
			key = strings.TrimSpace(auth[7:])
		}
		if !a.Throttle.Allow(w.Header(), "bearer:"+key, r.Method) {
			a.writeError(w, r, waybill.Errorf(waybill.ERATELIMIT, "Too many requests: the API is throttled per token."))
			return
		}
		if key == "" {
			a.writeError(w, r, waybill.Errorf(waybill.EUNAUTHORIZED, "Missing bearer token."))
			return
		}
		org, err := a.Auth.Authenticate(r.Context(), key)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		h(w, r, org)
	}
}

// readBody reads at most MaxBodyBytes: over it ETOOLARGE, a failed read
// EINVALID.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return httpserver.ReadBody(w, r, a.MaxBodyBytes)
}

// errorBody is the error envelope: a message and, for validation
// failures, every problem.
type errorBody struct {
	Message string   `json:"message"`
	Code    string   `json:"code"`
	Errors  []string `json:"errors,omitempty"`
}

func statusOf(err error) int {
	switch waybill.ErrorCode(err) {
	case waybill.EINVALID, waybill.ECONFLICT:
		return http.StatusBadRequest
	case waybill.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case waybill.ENOTFOUND:
		return http.StatusNotFound
	case waybill.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case waybill.EFORBIDDEN:
		return http.StatusForbidden
	case waybill.ERATELIMIT:
		return http.StatusTooManyRequests
	case waybill.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case waybill.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	body := errorBody{Message: waybill.ErrorMessage(err), Code: waybill.ErrorCode(err)}
	var p *commerce.Problems
	if errors.As(err, &p) {
		body.Errors = p.List
	}
	if status >= 500 {
		a.Logger.Error("onport request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
