package onport

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// channelWrite serves the synchronous custom-channel writes; the body is
// decoded as the asynchronous path decodes it and reaches the same core
// call.
func (a *API) channelWrite(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
		id, ok := pathID(r)
		if !ok {
			return waybill.Errorf(waybill.ENOTFOUND, "Channel not found.")
		}
		ch, err := a.Commerce.Channel(r.Context(), org.ID, id)
		if err != nil {
			return err
		}
		body, err := a.readBody(w, r)
		if err != nil {
			return err
		}
		in, err := DecodeWrite(kind, body)
		if err != nil {
			return err
		}
		res, err := a.Commerce.ApplyNow(r.Context(), ch, in)
		if err != nil {
			return err
		}
		if kind != waybill.InboundManualSale {
			writeJSON(w, http.StatusOK, map[string]any{"variantIds": nonNil(res.VariantIDs), "updated": res.Updated})
			return nil
		}
		q, err := byID(resourceNamed("sales"), res.SaleID, "Customer", "SaleItem", "Purchase")
		if err != nil {
			return err
		}
		m, err := a.loadOne(r.Context(), resourceNamed("sales"), org.ID, q, "Sale not found.")
		if err != nil {
			return err
		}
		status := http.StatusOK
		if res.Created {
			status = http.StatusCreated
		}
		writeJSON(w, status, m)
		return nil
	}
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// ship serves POST /api/purchases/{id}/ship.json: 201 with the
// dropshipment and its items.
func (a *API) ship(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	id, ok := pathID(r)
	if !ok {
		return waybill.Errorf(waybill.ENOTFOUND, "Purchase not found.")
	}
	body, err := a.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := decodeShip(body)
	if err != nil {
		return err
	}
	d, err := a.Commerce.Ship(r.Context(), org.ID, id, in)
	if err != nil {
		return err
	}
	return a.writeDropshipment(r.Context(), w, org.ID, d.ID, http.StatusCreated)
}

// acknowledge serves PUT /api/dropshipments/{id}/acknowledge.json.
func (a *API) acknowledge(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	id, ok := pathID(r)
	if !ok {
		return waybill.Errorf(waybill.ENOTFOUND, "Dropshipment not found.")
	}
	if _, err := a.Commerce.AcknowledgeDropshipment(r.Context(), org.ID, id); err != nil {
		return err
	}
	return a.writeDropshipment(r.Context(), w, org.ID, id, http.StatusOK)
}

func (a *API) writeDropshipment(ctx context.Context, w http.ResponseWriter, org, id int64, status int) error {
	q, err := byID(resourceNamed("dropshipments"), id, "DropshipmentItem")
	if err != nil {
		return err
	}
	m, err := a.loadOne(ctx, resourceNamed("dropshipments"), org, q, "Dropshipment not found.")
	if err != nil {
		return err
	}
	writeJSON(w, status, m)
	return nil
}

// inbound serves an asynchronous endpoint: 200 once the message is
// committed. The only refusals are an unknown hash (401; 429 once the
// address has spent its budget of failures, see AuthThrottle), an unreadable
// (400), oversized (413) or unclean (400, see CheckBody) body, and a failed commit (503, so the sender
// retries); the payload itself is checked later and its outcome is in the
// API logs.
func (a *API) inbound(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var ch waybill.Channel
		err := a.AuthThrottle.Authenticate(w, r, func() (err error) {
			ch, err = a.Commerce.ChannelByHash(r.Context(), strings.TrimSpace(r.Header.Get("jetti-webhook-hash")))
			return err
		})
		if err != nil {
			return err
		}
		body, err := a.readBody(w, r)
		if err != nil {
			return err
		}
		// Checked before it can join a batch: a string no engine stores
		// alike never reaches the shared group commit.
		if err := CheckBody(body); err != nil {
			return err
		}
		msg := &waybill.InboundMessage{OrgID: ch.OrgID, ChannelID: ch.ID, Kind: kind, Body: body,
			ExternalID: PeekExternalID(kind, body), ReceivedAt: time.Now().UTC()}
		if err := a.Inbound.Submit(r.Context(), msg); err != nil {
			a.Logger.Error("inbound message not stored", "channel", ch.ID, "kind", kind, "err", err)
			return waybill.Errorf(waybill.EUNAVAILABLE, "The message was not stored; send it again.")
		}
		// What writeJSON would write for {"id": msg.ID, "status": "accepted"},
		// without the encoder's reflection on a path that serves thousands a second.
		ack := strconv.AppendInt(append(make([]byte, 0, 48), `{"id":`...), msg.ID, 10)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(append(ack, `,"status":"accepted"}`+"\n"...))
		return nil
	}
}
