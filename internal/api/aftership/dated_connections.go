package aftership

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
)

// connectionDated is the SDK's CourierConnection. Its credentials are
// always masked: Waybill never sends a stored secret back, nor any part
// or the length of one; it shows which credentials the connection holds.
type connectionDated struct {
	ID          string            `json:"id"`
	CourierSlug string            `json:"courier_slug"`
	Credentials map[string]string `json:"credentials"`
	CreatedAt   *string           `json:"created_at"`
	UpdatedAt   *string           `json:"updated_at"`
}

// credentialMask stands for every stored credential value.
const credentialMask = "********"

func renderConnectionDated(c waybill.CourierConnection) connectionDated {
	masked := make(map[string]string, len(c.CredentialKeys))
	for _, k := range c.CredentialKeys {
		masked[k] = credentialMask
	}
	return connectionDated{ID: c.ID, CourierSlug: c.Slug, Credentials: masked, CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt)}
}

// readCredentials reads a credentials object. Values are strings; numbers
// and booleans are kept as their JSON text (the SDK types them as any).
func readCredentials(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, waybill.Invalid(waybill.ReasonFieldRequired, "credentials is required.")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of credentials is invalid.")
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		if err := scalarString(v, func(s string) { out[k] = s }); err != nil {
			return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "The value of credentials is invalid: values must be strings.")
		}
	}
	return out, nil
}

func (a *API) listConnectionsDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	limit, err := queryInt(q, "limit", 100, 1, 200)
	if err != nil {
		return err
	}
	before, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	slug := strings.ToLower(strings.TrimSpace(q.Get("courier_slug")))
	conns, total, next, err := a.Trackings.ListConnections(r.Context(), org.ID, slug, limit, before)
	if err != nil {
		return err
	}
	out := make([]connectionDated, len(conns))
	for i, c := range conns {
		out[i] = renderConnectionDated(c)
	}
	writeOK(w, map[string]any{
		"courier_connections": out,
		"pagination":          pagination{Total: total, NextCursor: encodeCursor(next), HasNextPage: next > 0},
	})
	return nil
}

func (a *API) createConnectionDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		CourierSlug *string         `json:"courier_slug"`
		Credentials json.RawMessage `json:"credentials"`
	}
	if body != nil {
		if err := unmarshalObject(body, &req); err != nil {
			return err
		}
	}
	if req.CourierSlug == nil || strings.TrimSpace(*req.CourierSlug) == "" {
		return waybill.Invalid(waybill.ReasonFieldRequired, "courier_slug is required.")
	}
	creds, err := readCredentials(req.Credentials)
	if err != nil {
		return err
	}
	c, err := a.Trackings.CreateConnection(r.Context(), org.ID, strings.ToLower(strings.TrimSpace(*req.CourierSlug)), creds)
	if err != nil {
		return err
	}
	writeCreated(w, renderConnectionDated(c))
	return nil
}

func (a *API) getConnectionDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	c, err := a.Trackings.Connection(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeOK(w, renderConnectionDated(c))
	return nil
}

// updateConnectionDated replaces a connection's credentials:
// {"credentials": {...}}.
func (a *API) updateConnectionDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	var req struct {
		Credentials json.RawMessage `json:"credentials"`
	}
	if body != nil {
		if err := unmarshalObject(body, &req); err != nil {
			return err
		}
	}
	creds, err := readCredentials(req.Credentials)
	if err != nil {
		return err
	}
	c, err := a.Trackings.UpdateConnection(r.Context(), org.ID, r.PathValue("id"), creds)
	if err != nil {
		return err
	}
	writeOK(w, renderConnectionDated(c))
	return nil
}

func (a *API) deleteConnectionDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	c, err := a.Trackings.DeleteConnection(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeOK(w, renderConnectionDated(c))
	return nil
}
