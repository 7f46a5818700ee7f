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
)

// Commerce is what the face needs of the commerce core: its writes and
// its read API.
type Commerce interface {
	Reader
	ApplyNow(ctx context.Context, ch waybill.Channel, w commerce.Write) (*waybill.InboundResult, error)
	Ship(ctx context.Context, orgID, purchaseID int64, in commerce.ShipInput) (waybill.Dropshipment, error)
	AcknowledgeDropshipment(ctx context.Context, orgID, id int64) (waybill.Dropshipment, error)
	UpdateDropshipment(ctx context.Context, orgID, id int64, in commerce.DropshipmentUpdate) (waybill.Dropshipment, string, error)
	AddTrackingEvent(ctx context.Context, orgID int64, in commerce.TrackingEventInput) (waybill.DropshipmentTrackingEvent, error)
	Channel(ctx context.Context, orgID, id int64) (waybill.Channel, error)
	ChannelByHash(ctx context.Context, hash string) (waybill.Channel, error)
}

// Reader is the commerce read API that listings and side-loads use.
type Reader interface {
	ListSales(ctx context.Context, orgID int64, f commerce.SaleFilter, p commerce.Page) ([]waybill.Sale, error)
	ListSaleItems(ctx context.Context, orgID int64, f commerce.SaleItemFilter, p commerce.Page) ([]waybill.SaleItem, error)
	ListCustomers(ctx context.Context, orgID int64, f commerce.CustomerFilter, p commerce.Page) ([]waybill.Customer, error)
	ListChannels(ctx context.Context, orgID int64, f commerce.ChannelFilter, p commerce.Page) ([]waybill.Channel, error)
	ListPurchases(ctx context.Context, orgID int64, f commerce.PurchaseFilter, p commerce.Page) ([]waybill.Purchase, error)
	ListPurchaseItems(ctx context.Context, orgID int64, f commerce.PurchaseItemFilter, p commerce.Page) ([]waybill.PurchaseItem, error)
	ListDropshipments(ctx context.Context, orgID int64, f commerce.DropshipmentFilter, p commerce.Page) ([]waybill.Dropshipment, error)
	ListDropshipmentItems(ctx context.Context, orgID int64, f commerce.DropshipmentItemFilter, p commerce.Page) ([]waybill.DropshipmentItem, error)
	ListProviders(ctx context.Context, orgID int64, f commerce.ProviderFilter, p commerce.Page) ([]waybill.DropshipProvider, error)
	ListVariants(ctx context.Context, orgID int64, f commerce.VariantFilter, p commerce.Page) ([]waybill.Variant, error)
	ListTrackingEvents(ctx context.Context, orgID int64, f commerce.TrackingEventFilter, p commerce.Page) ([]waybill.DropshipmentTrackingEvent, error)
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
	Inbound      Inbound
	Auth         Authenticator
	Throttle     *Throttle
	MaxBodyBytes int64
	PublicURL    string
	Logger       *slog.Logger
	// AuthThrottle limits failed authentications per client address (nil:
	// no limit); it is shared by every face.
	AuthThrottle *httpserver.AuthThrottle
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
	mux.HandleFunc("PUT /api/dropshipments/{file}", a.bearer(a.updateDropshipment))
	mux.HandleFunc("POST /api/tracking-events.json", a.bearer(a.addTrackingEvent))

	mux.HandleFunc("POST /webhooks/custom-channels/manual-sale.json", a.serve(a.inbound(waybill.InboundManualSale)))
	mux.HandleFunc("POST /webhooks/custom-channels/products.json", a.serve(a.inbound(waybill.InboundProducts)))
	mux.HandleFunc("PUT /webhooks/custom-channels/acknowledge-inventory-feed-variant-batches.json", a.serve(a.inbound(waybill.InboundAcknowledge)))
	mux.HandleFunc("PUT /webhooks/custom-channels/disconnect-inventory-feed-variant-batches.json", a.serve(a.inbound(waybill.InboundDisconnect)))
}

// handler serves an authenticated request of the synchronous API. An error
// it returns is answered by writeError, the face's one mapping of errors to
// Onport's envelope (pkgsite's errorHandler).
type handler func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error

// serve answers the error h returns, if any, in Onport's envelope.
func (a *API) serve(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// bearer authenticates with Authorization: Bearer <key> and throttles per
// token (before authentication, so that guessing is throttled too).
func (a *API) bearer(h handler) http.HandlerFunc {
	return a.serve(func(w http.ResponseWriter, r *http.Request) error {
		auth := r.Header.Get("Authorization")
		key := ""
		if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
			key = strings.TrimSpace(auth[7:])
		}
		if !a.Throttle.Allow(r.Context(), w.Header(), "bearer:"+key, r.Method) {
			return waybill.Errorf(waybill.ERATELIMIT, "Too many requests: the API is throttled per token.")
		}
		var org waybill.Organization
		err := a.AuthThrottle.Authenticate(w, r, func() (err error) {
			if key == "" {
				return waybill.Errorf(waybill.EUNAUTHORIZED, "Missing bearer token.")
			}
			org, err = a.Auth.Authenticate(r.Context(), key)
			return err
		})
		if err != nil {
			return err
		}
		return h(w, r, org)
	})
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
	case waybill.EMEDIATYPE:
		return http.StatusUnsupportedMediaType
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
