package returns

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// SubmitInput is a shopper's return request.
type SubmitInput struct {
	Lines    []LineInput
	Language string // the page language, for the shopper's emails
}

// LineInput is one chosen item: how many, why, and what the shopper wants.
type LineInput struct {
	ID         string
	Quantity   int
	Reason     string
	Comment    string
	Resolution waybill.Resolution
}

func invalid(format string, args ...any) error {
	return waybill.Invalid(waybill.ReasonFieldInvalid, format, args...)
}

func notReturnable(format string, args ...any) error {
	return waybill.Invalid(waybill.ReasonNotReturnable, format, args...)
}

// validate checks the request against the order and its rules and
// returns the return's lines. Nothing is written.
func (in SubmitInput) validate(o Order) ([]waybill.ReturnLine, error) {
	if !o.Open {
		switch o.Closed {
		case ClosedWindow:
			return nil, notReturnable("The return window of this order closed on %s.", o.Deadline.Format("2006-01-02"))
		case ClosedNotDelivered:
			return nil, notReturnable("This order can be returned once it has been delivered.")
		case ClosedDisabled:
			return nil, notReturnable("Returns are not offered.")
		default:
			return nil, notReturnable("Nothing in this order can be returned any more.")
		}
	}
	if len(in.Lines) > waybill.MaxReturnLines {
		return nil, invalid("A return has at most %d lines.", waybill.MaxReturnLines)
	}
	var lines []waybill.ReturnLine
	seen := map[string]bool{}
	for _, l := range in.Lines {
		if l.Quantity == 0 {
			continue
		}
		i := slices.IndexFunc(o.Items, func(it Item) bool { return it.ID == l.ID })
		if i < 0 || seen[l.ID] {
			return nil, invalid("The order has no item %q, or it is chosen twice.", truncate(l.ID, 64))
		}
		seen[l.ID] = true
		it := o.Items[i]
		if !it.Returnable {
			return nil, notReturnable("%s cannot be returned.", it.Name)
		}
		if l.Quantity < 0 || l.Quantity > waybill.MaxReturnQuantity {
			return nil, invalid("The quantity of %s must be a positive number.", it.Name)
		}
		if l.Quantity > it.Available {
			// The claim would refuse it too; this says so before writing.
			return nil, &waybill.Error{Code: waybill.ECONFLICT, Reason: waybill.ReasonOverQuantity,
				Message: fmt.Sprintf("At most %d of %s can still be returned.", it.Available, it.Name)}
		}
		reason, ok := o.Settings.Reason(l.Reason)
		if !ok {
			return nil, invalid("Choose a reason for returning %s.", it.Name)
		}
		comment := strings.TrimSpace(l.Comment)
		if len(comment) > waybill.MaxReturnCommentLen || !waybill.CleanText(comment) {
			return nil, invalid("The comment on %s must be at most %d characters of text.", it.Name, waybill.MaxReturnCommentLen)
		}
		if reason.CommentRequired && comment == "" {
			return nil, invalid("Tell us more about why you are returning %s.", it.Name)
		}
		if !slices.Contains(o.Settings.Resolutions, l.Resolution) {
			return nil, invalid("Choose what you would like for %s.", it.Name)
		}
		lines = append(lines, waybill.ReturnLine{ID: it.ID, SaleItemID: it.SaleItemID, Name: it.Name, SKU: it.SKU,
			Quantity: l.Quantity, Reason: reason.Code, Comment: comment, Resolution: l.Resolution})
	}
	if len(lines) == 0 {
		return nil, invalid("Choose at least one item to return.")
	}
	return lines, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Submit starts a return of the order ref names, proved by verify. It
// checks the organization's rules (window, before delivery, returnable
// items, reasons, comments, resolutions) and claims the quantities, which
// the database refuses (ECONFLICT, ReasonOverQuantity) when the order's
// returns together would exceed a line. The return, its claims, its
// return.submitted event (and return.approved when the organization
// approves automatically), their webhook deliveries and the shopper's
// emails commit together, or nothing does.
func (s *Service) Submit(ctx context.Context, ref OrderRef, verify string, in SubmitInput) (waybill.Return, error) {
	o, err := s.FindOrder(ctx, ref, verify)
	if err != nil {
		return waybill.Return{}, err
	}
	lines, err := in.validate(o)
	if err != nil {
		return waybill.Return{}, err
	}
	now := s.now()
	r := waybill.Return{OrgID: o.OrgID, Status: waybill.ReturnSubmitted, OrderKey: o.key, OrderNumber: o.Number,
		OrderID: o.id, SaleID: o.saleID, TrackingID: o.trackingID, Email: o.email, Language: pageLanguage(in.Language),
		Lines: lines, CreatedAt: now, UpdatedAt: now}
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var seq int64
		var err error
		for range 5 { // a new RMA when one is taken
			r.RMA = store.NewRMA()
			if seq, err = tx.InsertReturn(ctx, &r); waybill.ErrorCode(err) != waybill.ECONFLICT {
				break
			}
		}
		if err != nil {
			return err
		}
		for _, l := range r.Lines {
			i := slices.IndexFunc(o.Items, func(it Item) bool { return it.ID == l.ID })
			if err := tx.ClaimReturnQuantity(ctx, r.OrgID, r.OrderKey, l.ID, o.Items[i].Ordered, l.Quantity); err != nil {
				return err
			}
		}
		if err := s.emit(ctx, tx, &r); err != nil {
			return err
		}
		if o.Settings.AutoApprove {
			return s.apply(ctx, tx, seq, &r, waybill.ActionApprove, func(r *waybill.Return) {
				r.ExpiresAt = now.Add(time.Duration(o.Settings.ShipWithinDays) * 24 * time.Hour)
			})
		}
		return nil
	})
	if err != nil {
		return waybill.Return{}, err
	}
	return r, nil
}

// pageLanguage keeps a page language, English for anything else.
func pageLanguage(lang string) string {
	if slices.Contains(waybill.PageLanguages, lang) {
		return lang
	}
	return "en"
}
