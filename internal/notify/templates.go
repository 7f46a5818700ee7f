package notify

import (
	"context"
	"errors"
	"slices"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// TemplateInfo is the template that applies to one status (or return
// key) and language: the organization's own (Custom) or the default.
type TemplateInfo struct {
	Status   waybill.Tag
	Language string
	Custom   bool
	Template Template
}

func checkKey(status waybill.Tag, lang string) error {
	if !Notifies(status) && !returnKey(status) {
		return waybill.Errorf(waybill.ENOTFOUND, "No template for status %q: templates exist for InfoReceived, InTransit, OutForDelivery, AvailableForPickup, AttemptFail, Delivered and Exception, and for the return events return.submitted, return.approved, return.rejected, return.shipped, return.received, return.resolved and return.expired.", status)
	}
	if !slices.Contains(Languages, lang) {
		return waybill.Errorf(waybill.ENOTFOUND, "No template in language %q: templates exist in en, de, fr and es.", lang)
	}
	return nil
}

// Templates lists the template of every notifying status, then of every
// return key, in every language, the organization's where it has one.
func (s *Service) Templates(ctx context.Context, orgID int64) ([]TemplateInfo, error) {
	own, err := s.Store.Read().NotificationTemplates(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []TemplateInfo
	for _, tag := range slices.Concat(Statuses, ReturnKeys) {
		for _, lang := range Languages {
			info := TemplateInfo{Status: tag, Language: lang}
			if i := slices.IndexFunc(own, func(t waybill.NotificationTemplate) bool { return t.Status == tag && t.Language == lang }); i >= 0 {
				o := own[i]
				info.Custom, info.Template = true, Template{Subject: o.Subject, HTML: o.HTML, Text: o.Text, SMS: o.SMS}
			} else {
				c, _ := Default(tag, lang)
				info.Template = c.Source
			}
			out = append(out, info)
		}
	}
	return out, nil
}

// GetTemplate returns the template for a status (or return key) and
// language; ENOTFOUND for a status that does not notify or a language
// without templates.
func (s *Service) GetTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) (TemplateInfo, error) {
	if err := checkKey(status, lang); err != nil {
		return TemplateInfo{}, err
	}
	c, custom, err := s.template(ctx, s.Store.Read(), orgID, status, lang)
	if err != nil {
		return TemplateInfo{}, err
	}
	return TemplateInfo{Status: status, Language: lang, Custom: custom, Template: c.Source}, nil
}

// invalidTemplate turns a *ParseError into the core's EINVALID with the
// part, line and reason in the message.
func invalidTemplate(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "The template does not parse: %s.", pe.Error())
	}
	return err
}

// PutTemplate stores the organization's template for a status and
// language after checking that it parses and renders; a template that
// does not is EINVALID, its message naming the part, line and reason.
func (s *Service) PutTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string, t Template) (TemplateInfo, error) {
	if err := checkKey(status, lang); err != nil {
		return TemplateInfo{}, err
	}
	if _, err := Compile(t); err != nil {
		return TemplateInfo{}, invalidTemplate(err)
	}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutNotificationTemplate(ctx, orgID, waybill.NotificationTemplate{Status: status, Language: lang,
			Subject: t.Subject, HTML: t.HTML, Text: t.Text, SMS: t.SMS, UpdatedAt: s.now()})
	})
	return TemplateInfo{Status: status, Language: lang, Custom: true, Template: t}, err
}

// DeleteTemplate goes back to the default; ENOTFOUND when the
// organization had no template there.
func (s *Service) DeleteTemplate(ctx context.Context, orgID int64, status waybill.Tag, lang string) error {
	if err := checkKey(status, lang); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.DeleteNotificationTemplate(ctx, orgID, status, lang)
	})
}

// Preview renders a template with a sample tracking (and return): t when
// given (to try a template before storing it), else the one that applies.
// The store name is the organization's.
func (s *Service) Preview(ctx context.Context, org waybill.Organization, status waybill.Tag, lang string, t *Template) (Message, error) {
	if err := checkKey(status, lang); err != nil {
		return Message{}, err
	}
	var c *Compiled
	var err error
	if t != nil {
		if c, err = Compile(*t); err != nil {
			return Message{}, invalidTemplate(err)
		}
	} else if c, _, err = s.template(ctx, s.Store.Read(), org.ID, status, lang); err != nil {
		return Message{}, err
	}
	d := SampleData
	d.StoreName, d.Status = org.Name, StatusLabel(status, lang)
	m, err := c.Render(d)
	if err != nil {
		return Message{}, invalidTemplate(err)
	}
	m.SMS = FitSMS(m.SMS)
	return m, nil
}
