package portal

import (
	"context"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Service finds and shapes what the hosted pages show. It is safe for
// concurrent use.
type Service struct {
	Store *store.Store
	Now   func() time.Time // defaults to time.Now
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// validToken reports whether token has the form of every page token, old
// and new: 20 to 40 lowercase letters and digits (base32 or hex). Anything
// else is not looked up.
func validToken(token string) bool {
	if len(token) < 20 || len(token) > 40 {
		return false
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// notFound is the one answer for a page or lookup that finds nothing.
func notFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "No shipment matches these details.")
}

// TrackingPage returns the page of the tracking with that page token, in one
// indexed read, without personal data; ENOTFOUND for an unknown token.
func (s *Service) TrackingPage(ctx context.Context, token string) (Page, error) {
	return s.tokenPage(ctx, token, false)
}

// OrderPage returns every shipment of the order the token's tracking belongs
// to (the token's own first), in one indexed read, without personal data.
// A tracking without an order id is a page of its own.
func (s *Service) OrderPage(ctx context.Context, token string) (Page, error) {
	return s.tokenPage(ctx, token, true)
}

// TokenPage is TrackingPage (order false) or OrderPage (order true), except
// that when seen reports the Version of what the read returned (the caller
// keeps what it made of a page of that Version), it returns a Page with
// only Version and Seen set, without shaping the shipments again. The
// read itself happens either way, so Seen means the stored data is
// exactly what the caller's page was made from. seen may be nil.
func (s *Service) TokenPage(ctx context.Context, token string, order bool, seen func(Version) bool) (Page, error) {
	if !validToken(token) {
		return Page{}, notFound()
	}
	var seenStored func(store.PageVersion) bool
	if seen != nil {
		seenStored = func(v store.PageVersion) bool { return seen(Version(v)) }
	}
	pt, err := s.Store.Read().TrackingPageUnlessSeen(ctx, token, order, seenStored)
	if err != nil {
		return Page{}, err
	}
	if pt.Seen {
		return Page{Version: Version(pt.Version), Seen: true}, nil
	}
	return s.shapeTokenPage(pt, order)
}

func (s *Service) tokenPage(ctx context.Context, token string, order bool) (Page, error) {
	return s.TokenPage(ctx, token, order, nil)
}

func (s *Service) shapeTokenPage(pt store.PageTrackings, order bool) (Page, error) {
	if len(pt.Trackings) == 0 {
		return Page{}, notFound()
	}
	p := page(pt)
	// Only a token's page carries a Version: it shows nothing but the
	// read's rows (a proven order's page also shows the sale).
	p.Version = Version(pt.Version)
	if order {
		if n := pt.Trackings[0].OrderNumber; n != "" {
			p.Order = &Order{Number: n}
		}
	}
	return p, nil
}

func page(pt store.PageTrackings) Page {
	p := Page{OrgName: cmpOr(pt.Branding.DisplayName, pt.OrgName), Branding: pt.Branding}
	for _, t := range pt.Trackings {
		p.Shipments = append(p.Shipments, shipment(t, pt.Branding))
	}
	if len(pt.Trackings) > 0 {
		p.Language = pt.Trackings[0].Language
	}
	return p
}

// Portal is an organization's tracking portal: where its lookup form lives.
type Portal struct {
	OrgID    int64
	OrgName  string
	Branding waybill.Branding
}

// PortalByHost returns the portal whose custom host is host (any port is
// ignored), or ENOTFOUND.
func (s *Service) PortalByHost(ctx context.Context, host string) (Portal, error) {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	if host == "" {
		return Portal{}, waybill.Errorf(waybill.ENOTFOUND, "No such tracking portal.")
	}
	o, err := s.Store.Read().PortalOrgByHost(ctx, host)
	return portalOf(o), err
}

// PortalByName returns the portal of the organization with that name, or
// ENOTFOUND.
func (s *Service) PortalByName(ctx context.Context, name string) (Portal, error) {
	o, err := s.Store.Read().PortalOrgByName(ctx, name)
	return portalOf(o), err
}

func portalOf(o store.PortalOrg) Portal {
	return Portal{OrgID: o.Org.ID, OrgName: cmpOr(o.Branding.DisplayName, o.Org.Name), Branding: o.Branding}
}

// Branding returns the organization's branding (the zero value when unset).
func (s *Service) Branding(ctx context.Context, orgID int64) (waybill.Branding, error) {
	return s.Store.Read().Branding(ctx, orgID)
}

// UpdateBranding applies the patch to the organization's branding and
// stores it: EINVALID with every bad field, ECONFLICT for a custom host that
// another organization has. Nothing is written on error. The next page view
// shows the change.
func (s *Service) UpdateBranding(ctx context.Context, orgID int64, p waybill.BrandingPatch) (waybill.Branding, error) {
	var b waybill.Branding
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.Branding(ctx, orgID)
		if err != nil {
			return err
		}
		b = cur.Apply(p)
		if err := b.Validate(); err != nil {
			return err
		}
		b.UpdatedAt = s.now()
		return tx.PutBranding(ctx, orgID, b)
	})
	if err != nil {
		return waybill.Branding{}, err
	}
	return b, nil
}
