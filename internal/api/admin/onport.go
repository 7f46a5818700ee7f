package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/onportlink"
)

// OnportConnectors is what the admin face needs of the Onport connector
// for /v1/connectors/onport and the webhook URLs it hands out.
type OnportConnectors interface {
	CreateConnection(ctx context.Context, orgID int64, in onportlink.ConnectionInput) (waybill.OnportConnection, error)
	UpdateConnection(ctx context.Context, orgID int64, id string, in onportlink.ConnectionInput) (waybill.OnportConnection, error)
	Connection(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error)
	Connections(ctx context.Context, orgID int64) ([]waybill.OnportConnection, error)
	DeleteConnection(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error)
	HookURLs(c waybill.OnportConnection) map[string]string
	Receive(ctx context.Context, hookToken, kind string, body []byte) (onportlink.Receipt, error)
}

var _ OnportConnectors = (*onportlink.Service)(nil)

func (a *API) registerOnport(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/connectors/onport", a.handle(a.createOnport))
	mux.HandleFunc("GET /v1/connectors/onport", a.handle(a.listOnport))
	mux.HandleFunc("GET /v1/connectors/onport/{id}", a.handle(a.getOnport))
	mux.HandleFunc("PATCH /v1/connectors/onport/{id}", a.handle(a.updateOnport))
	mux.HandleFunc("DELETE /v1/connectors/onport/{id}", a.handle(a.deleteOnport))
	// Onport calls these; the unguessable token in the URL is the credential.
	mux.HandleFunc("POST /v1/connectors/onport/hooks/{token}/{kind}", a.receiveOnport)
}

// onportBody is the body of POST and PATCH /v1/connectors/onport.
type onportBody struct {
	APIURL           *string `json:"api_url"`
	Token            *string `json:"token"`
	WriteTrackingURL *bool   `json:"write_tracking_url"`
	WriteEvents      *bool   `json:"write_tracking_events"`
}

func (a *API) readOnportBody(w http.ResponseWriter, r *http.Request) (onportlink.ConnectionInput, error) {
	var in onportBody
	if err := a.decode(w, r, &in); err != nil {
		return onportlink.ConnectionInput{}, err
	}
	return onportlink.ConnectionInput{APIURL: in.APIURL, Token: in.Token, WriteTrackingURL: in.WriteTrackingURL, WriteEvents: in.WriteEvents}, nil
}

// renderOnport shows a connection; its token never appears.
func (a *API) renderOnport(c waybill.OnportConnection) map[string]any {
	return map[string]any{"id": c.ID, "api_url": c.APIURL, "channel_id": c.ChannelID, "write_tracking_url": c.WriteTrackingURL,
		"write_tracking_events": c.WriteEvents, "webhook_urls": a.Onport.HookURLs(c),
		"created_at": c.CreatedAt.Format(time.RFC3339), "updated_at": c.UpdatedAt.Format(time.RFC3339)}
}

// createOnport serves POST /v1/connectors/onport {"api_url", "token",
// "write_tracking_url", "write_tracking_events"}.
func (a *API) createOnport(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readOnportBody(w, r)
	if err != nil {
		return err
	}
	c, err := a.Onport.CreateConnection(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"connection": a.renderOnport(c)})
}

// listOnport serves GET /v1/connectors/onport.
func (a *API) listOnport(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	cs, err := a.Onport.Connections(r.Context(), org.ID)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, c := range cs {
		out = append(out, a.renderOnport(c))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connections": out})
}

// getOnport serves GET /v1/connectors/onport/{id}.
func (a *API) getOnport(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	c, err := a.Onport.Connection(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connection": a.renderOnport(c)})
}

// updateOnport serves PATCH /v1/connectors/onport/{id}: present fields
// change; a new token or API URL is checked first.
func (a *API) updateOnport(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readOnportBody(w, r)
	if err != nil {
		return err
	}
	c, err := a.Onport.UpdateConnection(r.Context(), org.ID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connection": a.renderOnport(c)})
}

// deleteOnport serves DELETE /v1/connectors/onport/{id}.
func (a *API) deleteOnport(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	c, err := a.Onport.DeleteConnection(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connection": a.renderOnport(c)})
}

// receiveOnport serves POST /v1/connectors/onport/hooks/{token}/{kind}:
// 200 once the webhook is committed as a job (or known as a repeat). An
// unknown token spends the address's budget of failed authentications.
func (a *API) receiveOnport(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		// Onport's webhooks: read whatever Content-Type Onport sends.
		body, err := httpserver.ReadAnyBody(w, r, a.MaxBodyBytes)
		if err != nil {
			return err
		}
		var rec onportlink.Receipt
		err = a.AuthThrottle.Authenticate(w, r, func() (err error) {
			rec, err = a.Onport.Receive(r.Context(), r.PathValue("token"), r.PathValue("kind"), body)
			return err
		})
		if err != nil {
			return err
		}
		status := "accepted"
		if rec.Duplicate {
			status = "duplicate"
		}
		return writeJSON(w, http.StatusOK, map[string]any{"status": status, "resource": rec.Kind, "id": rec.ResourceID})
	}()
	if err != nil {
		a.writeError(w, r, err)
	}
}
