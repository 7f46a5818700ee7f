package onportlink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Receipt is what Receive did with a webhook.
type Receipt struct {
	Kind       string // "sale" or "dropshipment": what will be fetched
	ResourceID int64  // the resource's id in Onport
	Duplicate  bool   // the same webhook was taken in before; nothing new was queued
}

// Receive takes in a webhook sent to a connection's URL: hookToken and kind
// are the URL's last two segments. It returns once the fetch of the
// resource is committed as a job (or the webhook is known to be a repeat:
// same kind, resource and body). Only the resource's id counts (id, or
// instance.id in a fulfillment bundle), so a partial or early payload is
// harmless. An unknown URL is EUNAUTHORIZED; a body without an id EINVALID.
func (s *Service) Receive(ctx context.Context, hookToken, kind string, body []byte) (Receipt, error) {
	if !slices.Contains(HookKinds, kind) {
		return Receipt{}, waybill.Errorf(waybill.ENOTFOUND, "Unknown webhook kind %q: use sales, dropshipments or fulfillments.", kind)
	}
	if len(hookToken) != 64 {
		return Receipt{}, unknownHook()
	}
	if _, err := hex.DecodeString(hookToken); err != nil {
		return Receipt{}, unknownHook()
	}
	id, err := resourceID(body)
	if err != nil {
		return Receipt{}, err
	}
	c, err := s.Store.Read().OnportConnectionByHook(ctx, hookToken)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return Receipt{}, unknownHook()
	} else if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Kind: "dropshipment", ResourceID: id}
	if kind == HookSales {
		r.Kind = "sale"
	}
	sum := sha256.Sum256(body)
	key := kind + ":" + strconv.FormatInt(id, 10) + ":" + hex.EncodeToString(sum[:16])
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		fresh, err := tx.InsertOnportReceipt(ctx, c, key, s.now().UnixMicro())
		if err != nil || !fresh {
			r.Duplicate = !fresh
			return err
		}
		return s.Queue.EnqueueOnportFetch(ctx, tx.SQL(), c.OrgID, c.ID, r.Kind, id, key)
	})
	return r, err
}

func unknownHook() error {
	return waybill.Errorf(waybill.EUNAUTHORIZED, "Unknown webhook URL: copy it again from GET /v1/connectors/onport.")
}

// resourceID reads the resource id of a webhook body.
func resourceID(body []byte) (int64, error) {
	if !utf8.Valid(body) {
		return 0, waybill.Invalid(waybill.ReasonInvalidJSON, "The webhook body is not valid UTF-8.")
	}
	var h hookWire
	if err := json.Unmarshal(body, &h); err != nil {
		return 0, waybill.Invalid(waybill.ReasonInvalidJSON, "The webhook body is not the JSON of an Onport resource: %v.", err)
	}
	switch {
	case h.Instance != nil && h.Instance.ID > 0:
		return int64(h.Instance.ID), nil
	case h.ID > 0:
		return int64(h.ID), nil
	case h.Sale != nil && h.Sale.ID > 0:
		return int64(h.Sale.ID), nil
	}
	return 0, waybill.Invalid(waybill.ReasonFieldRequired, "The webhook body has no resource id (id, or instance.id in a fulfillment bundle).")
}
