package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// ReturnKeys are the statuses of a return's notifications, and the keys
// of their templates: the event of each change of a return, in lifecycle
// order (return.submitted … return.expired).
var ReturnKeys = func() []waybill.Tag {
	out := make([]waybill.Tag, len(waybill.ReturnStatuses))
	for i, s := range waybill.ReturnStatuses {
		out[i] = waybill.Tag(waybill.ReturnEvent(s))
	}
	return out
}()

// returnKey reports whether key is one of ReturnKeys.
func returnKey(key waybill.Tag) bool { return slices.Contains(ReturnKeys, key) }

// returnCatalogue holds one language's words about returns; the default
// return templates are built from it so that every change shares one
// layout.
type returnCatalogue struct {
	label   map[waybill.ReturnStatus]string // {{.Status}}
	subject string                          // after "{{.StoreName}}: ", before the status label
	// opening says what happened, next what the shopper does or waits
	// for now.
	opening map[waybill.ReturnStatus]string
	next    map[waybill.ReturnStatus]string
	reason  string // before {{.RejectReason}}
	rma     string
	items   string
	parcel  string
	label2  string // before {{.LabelURL}}
	address string // before {{.ReturnAddress}}
	page    string
	stop    string
}

var returnCatalogues = map[string]returnCatalogue{
	"en": {
		label: map[waybill.ReturnStatus]string{waybill.ReturnSubmitted: "submitted", waybill.ReturnApproved: "approved",
			waybill.ReturnRejected: "rejected", waybill.ReturnShipped: "on its way", waybill.ReturnReceived: "received",
			waybill.ReturnResolved: "complete", waybill.ReturnExpired: "expired"},
		subject: "your return {{.RMA}} is",
		opening: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "We have received your return request.",
			waybill.ReturnApproved:  "Your return is approved.",
			waybill.ReturnRejected:  "We are sorry: your return could not be accepted.",
			waybill.ReturnShipped:   "Your return parcel is on its way to us.",
			waybill.ReturnReceived:  "We have received your return.",
			waybill.ReturnResolved:  "Your return is complete.",
			waybill.ReturnExpired:   "Your return has expired: the parcel was not sent in time.",
		},
		next: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "We will let you know as soon as it is reviewed.",
			waybill.ReturnApproved:  "Please send the items back and put the return number on the parcel.",
			waybill.ReturnRejected:  "The items stay with you.",
			waybill.ReturnShipped:   "We will let you know when it arrives.",
			waybill.ReturnReceived:  "We are checking the items and will let you know when your return is complete.",
			waybill.ReturnResolved:  "Thank you for shopping with us.",
			waybill.ReturnExpired:   "Start a new return if you still want to send the items back.",
		},
		reason: "Reason", rma: "Return number", items: "Items", parcel: "Return parcel", label2: "Your return label",
		address: "Send the parcel to", page: "See your return", stop: "Stop messages about this return",
	},
	"de": {
		label: map[waybill.ReturnStatus]string{waybill.ReturnSubmitted: "eingereicht", waybill.ReturnApproved: "genehmigt",
			waybill.ReturnRejected: "abgelehnt", waybill.ReturnShipped: "unterwegs", waybill.ReturnReceived: "erhalten",
			waybill.ReturnResolved: "abgeschlossen", waybill.ReturnExpired: "abgelaufen"},
		subject: "Ihre Rücksendung {{.RMA}} ist",
		opening: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Wir haben Ihre Rücksendeanfrage erhalten.",
			waybill.ReturnApproved:  "Ihre Rücksendung ist genehmigt.",
			waybill.ReturnRejected:  "Leider können wir Ihre Rücksendung nicht annehmen.",
			waybill.ReturnShipped:   "Ihr Rücksendepaket ist auf dem Weg zu uns.",
			waybill.ReturnReceived:  "Wir haben Ihre Rücksendung erhalten.",
			waybill.ReturnResolved:  "Ihre Rücksendung ist abgeschlossen.",
			waybill.ReturnExpired:   "Ihre Rücksendung ist abgelaufen, weil das Paket nicht rechtzeitig versandt wurde.",
		},
		next: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Wir melden uns, sobald sie geprüft ist.",
			waybill.ReturnApproved:  "Bitte senden Sie die Artikel zurück und vermerken Sie die Rücksendenummer auf dem Paket.",
			waybill.ReturnRejected:  "Die Artikel bleiben bei Ihnen.",
			waybill.ReturnShipped:   "Wir melden uns, sobald es angekommen ist.",
			waybill.ReturnReceived:  "Wir prüfen die Artikel und melden uns, sobald Ihre Rücksendung abgeschlossen ist.",
			waybill.ReturnResolved:  "Vielen Dank für Ihren Einkauf.",
			waybill.ReturnExpired:   "Starten Sie bei Bedarf eine neue Rücksendung.",
		},
		reason: "Grund", rma: "Rücksendenummer", items: "Artikel", parcel: "Rücksendepaket", label2: "Ihr Rücksendeetikett",
		address: "Senden Sie das Paket an", page: "Ihre Rücksendung ansehen", stop: "Keine weiteren Nachrichten zu dieser Rücksendung",
	},
	"fr": {
		label: map[waybill.ReturnStatus]string{waybill.ReturnSubmitted: "envoyé", waybill.ReturnApproved: "accepté",
			waybill.ReturnRejected: "refusé", waybill.ReturnShipped: "en route", waybill.ReturnReceived: "reçu",
			waybill.ReturnResolved: "terminé", waybill.ReturnExpired: "expiré"},
		subject: "votre retour {{.RMA}} est",
		opening: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Nous avons reçu votre demande de retour.",
			waybill.ReturnApproved:  "Votre retour est accepté.",
			waybill.ReturnRejected:  "Nous sommes désolés : votre retour n'a pas pu être accepté.",
			waybill.ReturnShipped:   "Votre colis retour est en route vers nous.",
			waybill.ReturnReceived:  "Nous avons reçu votre retour.",
			waybill.ReturnResolved:  "Votre retour est terminé.",
			waybill.ReturnExpired:   "Votre retour a expiré : le colis n'a pas été envoyé à temps.",
		},
		next: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Nous vous tiendrons informé dès qu'elle aura été examinée.",
			waybill.ReturnApproved:  "Renvoyez les articles en indiquant le numéro de retour sur le colis.",
			waybill.ReturnRejected:  "Vous gardez les articles.",
			waybill.ReturnShipped:   "Nous vous préviendrons de son arrivée.",
			waybill.ReturnReceived:  "Nous vérifions les articles et vous préviendrons quand votre retour sera terminé.",
			waybill.ReturnResolved:  "Merci pour votre achat.",
			waybill.ReturnExpired:   "Créez un nouveau retour si vous souhaitez toujours renvoyer les articles.",
		},
		reason: "Motif", rma: "Numéro de retour", items: "Articles", parcel: "Colis retour", label2: "Votre étiquette de retour",
		address: "Envoyez le colis à", page: "Voir votre retour", stop: "Ne plus recevoir de messages pour ce retour",
	},
	"es": {
		label: map[waybill.ReturnStatus]string{waybill.ReturnSubmitted: "enviada", waybill.ReturnApproved: "aprobada",
			waybill.ReturnRejected: "rechazada", waybill.ReturnShipped: "en camino", waybill.ReturnReceived: "recibida",
			waybill.ReturnResolved: "completada", waybill.ReturnExpired: "caducada"},
		subject: "tu devolución {{.RMA}} está",
		opening: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Hemos recibido tu solicitud de devolución.",
			waybill.ReturnApproved:  "Tu devolución está aprobada.",
			waybill.ReturnRejected:  "Lo sentimos: no hemos podido aceptar tu devolución.",
			waybill.ReturnShipped:   "Tu paquete de devolución está en camino.",
			waybill.ReturnReceived:  "Hemos recibido tu devolución.",
			waybill.ReturnResolved:  "Tu devolución se ha completado.",
			waybill.ReturnExpired:   "Tu devolución ha caducado: el paquete no se envió a tiempo.",
		},
		next: map[waybill.ReturnStatus]string{
			waybill.ReturnSubmitted: "Te avisaremos en cuanto la revisemos.",
			waybill.ReturnApproved:  "Envía los artículos e indica el número de devolución en el paquete.",
			waybill.ReturnRejected:  "Los artículos se quedan contigo.",
			waybill.ReturnShipped:   "Te avisaremos cuando llegue.",
			waybill.ReturnReceived:  "Estamos revisando los artículos y te avisaremos cuando tu devolución esté completada.",
			waybill.ReturnResolved:  "Gracias por tu compra.",
			waybill.ReturnExpired:   "Inicia una nueva devolución si aún quieres devolver los artículos.",
		},
		reason: "Motivo", rma: "Número de devolución", items: "Artículos", parcel: "Paquete de devolución", label2: "Tu etiqueta de devolución",
		address: "Envía el paquete a", page: "Ver tu devolución", stop: "No recibir más mensajes de esta devolución",
	},
}

// returnStatus is the return status of a return key.
func returnStatus(key waybill.Tag) waybill.ReturnStatus {
	return waybill.ReturnStatus(strings.TrimPrefix(string(key), "return."))
}

// defaultReturnTemplate is the built-in template of one change of a
// return: what happened, what happens next, the RMA, the items, the label
// and address once approved, the reason when rejected, and the return's
// page.
func defaultReturnTemplate(key waybill.Tag, lang string) Template {
	c, w := catalogues[lang], returnCatalogues[lang]
	st := returnStatus(key)
	subject := "{{.StoreName}}" + c.colon + w.subject + " {{.Status}}"
	var text strings.Builder
	text.WriteString(c.greeting + "\n\n" + w.opening[st] + " " + w.next[st] + "\n")
	if st == waybill.ReturnRejected {
		text.WriteString("{{if .RejectReason}}" + w.reason + c.colon + "{{.RejectReason}}\n{{end}}")
	}
	text.WriteString("\n" + w.rma + c.colon + "{{.RMA}}\n" + w.items + c.colon + "\n{{range .Items}}- {{.}}\n{{end}}")
	text.WriteString("{{if .TrackingNumber}}" + w.parcel + c.colon + "{{.TrackingNumber}}{{if .Courier}} ({{.Courier}}){{end}}\n{{end}}")
	if st == waybill.ReturnApproved {
		text.WriteString("{{if .LabelURL}}\n" + w.label2 + c.colon + "{{.LabelURL}}\n{{end}}")
		text.WriteString("{{if .ReturnAddress}}\n" + w.address + c.colon + "\n{{.ReturnAddress}}\n{{end}}")
	}
	text.WriteString("\n" + w.page + c.colon + "{{.PageURL}}\n\n-- \n{{.StoreName}}\n" + w.stop + c.colon + "{{.UnsubscribeURL}}\n")

	var html strings.Builder
	html.WriteString(`<!DOCTYPE html>
<html lang="` + lang + `">
<head><meta charset="utf-8"><title>` + subject + `</title></head>
<body style="margin:0;padding:24px;font-family:Helvetica,Arial,sans-serif;color:#1f2933;background:#f5f7fa">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
<p>` + c.greeting + `</p>
<p style="font-size:18px"><strong>` + w.opening[st] + `</strong></p>
<p>` + w.next[st] + `</p>
`)
	if st == waybill.ReturnRejected {
		html.WriteString(`{{if .RejectReason}}<p>` + w.reason + c.colon + `{{.RejectReason}}</p>{{end}}
`)
	}
	html.WriteString(`<p>` + w.rma + c.colon + `<strong>{{.RMA}}</strong>{{if .TrackingNumber}}<br>` + w.parcel + c.colon + `{{.TrackingNumber}}{{if .Courier}} ({{.Courier}}){{end}}{{end}}</p>
<p>` + w.items + c.colon + `</p>
<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>
`)
	if st == waybill.ReturnApproved {
		html.WriteString(`{{if .LabelURL}}<p><a href="{{.LabelURL}}">` + w.label2 + `</a></p>{{end}}
{{if .ReturnAddress}}<p>` + w.address + c.colon + `</p><p style="white-space:pre-line">{{.ReturnAddress}}</p>{{end}}
`)
	}
	html.WriteString(`<p><a href="{{.PageURL}}" style="display:inline-block;padding:12px 20px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px">` + w.page + `</a></p>
<p style="font-size:12px;color:#7b8794">{{.StoreName}} &middot; <a href="{{.UnsubscribeURL}}" style="color:#7b8794">` + w.stop + `</a></p>
</div>
</body>
</html>
`)
	sms := subject + ". {{.PageURL}} " + c.stopSMS + " {{.UnsubscribeURL}}"
	return Template{Subject: subject, HTML: html.String(), Text: text.String(), SMS: sms}
}

// dispatchReturn decides the shopper's email about one change of a
// return (a return.* event carrying the return), in tx: one notification
// per (return, change, recipient), unless the organization sends no
// emails or the shopper unsubscribed from the return.
func (s *Service) dispatchReturn(ctx context.Context, tx *store.Tx, e waybill.Event, st waybill.NotificationSettings) error {
	r := e.Return
	if !st.Email || r.Email == "" {
		return nil
	}
	if gone, err := tx.Unsubscribed(ctx, e.OrgID, "", r.ID, r.Email); err != nil || gone {
		return err
	}
	now := s.now()
	n := waybill.Notification{OrgID: e.OrgID, ReturnID: r.ID, EventID: e.ID, Status: waybill.Tag(e.Type),
		Channel: waybill.ChannelEmail, Recipient: r.Email, Language: MatchLanguage(r.Language),
		DueAt: now, State: waybill.NotificationPending, CreatedAt: now}
	seq, inserted, err := tx.InsertNotification(ctx, &n)
	if err != nil || !inserted {
		return err
	}
	return s.Queue.EnqueueNotification(ctx, tx.SQL(), e.OrgID, seq, 1, n.DueAt)
}

// returnData is what a return's notification shows, or why it is skipped
// now: the return is gone, its email changed, or the shopper unsubscribed.
func (s *Service) returnData(ctx context.Context, orgID int64, n waybill.Notification) (Data, string, error) {
	q := s.Store.Read()
	r, _, err := q.Return(ctx, orgID, n.ReturnID, false)
	switch {
	case waybill.ErrorCode(err) == waybill.ENOTFOUND:
		return Data{}, "the return was deleted", nil
	case err != nil:
		return Data{}, "", err
	case r.Email != n.Recipient:
		return Data{}, "the recipient is no longer the return's", nil
	}
	if gone, err := q.Unsubscribed(ctx, orgID, "", r.ID, n.Recipient); err != nil {
		return Data{}, "", err
	} else if gone {
		return Data{}, "the recipient unsubscribed from the return", nil
	}
	st, ok, err := q.ReturnSettings(ctx, orgID)
	if err != nil {
		return Data{}, "", err
	} else if !ok {
		st = waybill.DefaultReturnSettings()
	}
	d := Data{OrderNumber: r.OrderNumber, RMA: r.RMA, Status: StatusLabel(n.Status, n.Language),
		TrackingNumber: r.ReturnTrackingNumber, RejectReason: r.RejectReason, LabelURL: r.LabelURL,
		ReturnAddress: st.ReturnAddress, UnsubscribeURL: s.UnsubscribeURL(n.UnsubscribeToken)}
	if r.ReturnSlug != "" {
		d.Courier = r.ReturnSlug
		if c, ok := courier.Lookup(r.ReturnSlug); ok {
			d.Courier = c.Name
		}
	}
	for _, l := range r.Lines {
		d.Items = append(d.Items, fmt.Sprintf("%d × %s", l.Quantity, l.Name))
	}
	if s.ReturnPageURL != nil {
		d.PageURL = s.ReturnPageURL(r)
	}
	if d.PageURL == "" {
		d.PageURL = strings.TrimRight(s.PublicURL, "/")
	}
	return d, "", nil
}
