package onportlink

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// syncPage is how many dropshipments a backfill asks for at a time.
const syncPage = 100

// SyncProgress is reported after each page of a backfill.
type SyncProgress struct {
	Page   int // pages read so far
	Seen   int // dropshipments listed so far
	Queued int // of which had a tracking number and were queued for import
}

// Sync backfills a connection: it pages through the account's
// dropshipments created since since (Onport's where[createdAt][$gte]),
// within the token's throttle, and queues the import of each one that has
// a tracking number, the same job a webhook queues. Imports are
// idempotent, so a dropshipment already known is updated, not doubled.
// progress, if not nil, is called after each page.
func (s *Service) Sync(ctx context.Context, orgID int64, connectionID string, since time.Time, progress func(SyncProgress)) (SyncProgress, error) {
	var p SyncProgress
	c, err := s.Connection(ctx, orgID, connectionID)
	if err != nil {
		return p, err
	}
	cl, err := s.client(c)
	if err != nil {
		return p, err
	}
	for offset := 0; ; offset += syncPage {
		q := url.Values{}
		q.Set("where[createdAt][$gte]", since.UTC().Format(time.RFC3339))
		q.Set("limit", strconv.Itoa(syncPage))
		q.Set("offset", strconv.Itoa(offset))
		var page []dropshipmentWire
		if err := cl.Get(ctx, "/api/dropshipments.json", q.Encode(), &page); err != nil {
			return p, err
		}
		p.Page++
		p.Seen += len(page)
		err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, d := range page {
				if d.ID <= 0 || string(d.TrackingNumber) == "" {
					continue
				}
				key := "sync:" + strconv.FormatInt(int64(d.ID), 10) + ":" + string(d.TrackingNumber)
				fresh, err := tx.InsertOnportReceipt(ctx, c, key, s.now().UnixMicro())
				if err != nil {
					return err
				}
				if !fresh {
					continue // this number of this dropshipment was synced before
				}
				if err := s.Queue.EnqueueOnportFetch(ctx, tx.SQL(), c.OrgID, c.ID, "dropshipment", int64(d.ID), key); err != nil {
					return err
				}
				p.Queued++
			}
			return nil
		})
		if err != nil {
			return p, err
		}
		if progress != nil {
			progress(p)
		}
		if len(page) < syncPage {
			return p, nil
		}
	}
}

// ConnectionOf returns the organization's one connection, or the one with
// that id; EINVALID when the organization has several and id is "".
func (s *Service) ConnectionOf(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error) {
	if id != "" {
		return s.Connection(ctx, orgID, id)
	}
	cs, err := s.Connections(ctx, orgID)
	if err != nil {
		return waybill.OnportConnection{}, err
	}
	switch len(cs) {
	case 0:
		return waybill.OnportConnection{}, waybill.Errorf(waybill.ENOTFOUND, "The organization has no Onport connection: create one with POST /v1/connectors/onport.")
	case 1:
		return cs[0], nil
	}
	return waybill.OnportConnection{}, waybill.Invalid(waybill.ReasonFieldRequired, "The organization has %d Onport connections: name one with --connection.", len(cs))
}
