package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
)

// Channels is what the admin face needs of the commerce core for
// /v1/channels.
type Channels interface {
	CreateChannel(ctx context.Context, orgID int64, in commerce.ChannelInput) (waybill.Channel, error)
	UpdateChannel(ctx context.Context, orgID, id int64, in commerce.ChannelInput) (waybill.Channel, error)
	Channel(ctx context.Context, orgID, id int64) (waybill.Channel, error)
	Channels(ctx context.Context, orgID int64) ([]waybill.Channel, error)
}

var _ Channels = (*commerce.Service)(nil)

// channelBody is the body of POST and PATCH /v1/channels.
type channelBody struct {
	Name           *string `json:"name"`
	FulfillmentURL *string `json:"fulfillment_url"`
}

func (a *API) readChannelBody(w http.ResponseWriter, r *http.Request) (commerce.ChannelInput, error) {
	var in channelBody
	if err := a.decode(w, r, &in); err != nil {
		return commerce.ChannelInput{}, err
	}
	return commerce.ChannelInput{Name: in.Name, FulfillmentURL: in.FulfillmentURL}, nil
}

// channelID reads the {id} of a channel route; what is not an id is
// ENOTFOUND.
func channelID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, waybill.Errorf(waybill.ENOTFOUND, "Channel not found.")
	}
	return id, nil
}

// createChannel serves POST /v1/channels {"name", "fulfillment_url"}.
func (a *API) createChannel(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readChannelBody(w, r)
	if err != nil {
		return err
	}
	ch, err := a.Channels.CreateChannel(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ch)
}

// getChannel serves GET /v1/channels/{id}.
func (a *API) getChannel(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	ch, err := a.Channels.Channel(r.Context(), org.ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ch)
}

// updateChannel serves PATCH /v1/channels/{id} {"name", "fulfillment_url"}:
// present fields change; "fulfillment_url": "" removes the webhook.
func (a *API) updateChannel(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	id, err := channelID(r)
	if err != nil {
		return err
	}
	in, err := a.readChannelBody(w, r)
	if err != nil {
		return err
	}
	ch, err := a.Channels.UpdateChannel(r.Context(), org.ID, id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ch)
}

// listChannels serves GET /v1/channels.
func (a *API) listChannels(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	chs, err := a.Channels.Channels(r.Context(), org.ID)
	if err != nil {
		return err
	}
	if chs == nil {
		chs = []waybill.Channel{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"channels": chs})
}
