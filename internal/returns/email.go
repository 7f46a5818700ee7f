package returns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
)

// SendEmail sends the shopper the email about one change of a return (the
// event eventID, whose snapshot says what changed): the handler of the
// queue's send_return_email job. Its Message-ID derives from the event
// and the recipient, so a repeat after a crash is one message twice. A
// temporary failure returns an error (the queue retries); a permanent one
// is logged and dropped.
func (s *Service) SendEmail(ctx context.Context, orgID, seq int64, eventID string) error {
	if s.Email == nil {
		return nil
	}
	e, _, err := s.Store.Read().Event(ctx, orgID, eventID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if e.Return == nil || e.Return.Email == "" {
		return nil
	}
	r := *e.Return
	q := s.Store.Read()
	b, err := q.Branding(ctx, orgID)
	if err != nil {
		return err
	}
	org, err := q.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	st, err := settings(ctx, q, orgID)
	if err != nil {
		return err
	}
	subject, text := message(r, cmpOr(b.DisplayName, org.Name), st, PageURL(s.PublicURL, r.PageToken))
	_, err = s.Email.Send(ctx, notify.Email{To: r.Email, Subject: subject, Text: text, MessageID: s.Email.MessageID(eventID, r.Email)})
	if err == nil || notify.Temporary(err) || ctx.Err() != nil {
		return err
	}
	var se *notify.SendError
	if errors.As(err, &se) {
		s.logger().Warn("return email refused", "org", orgID, "return", r.ID, "status", r.Status, "err", err)
		return nil
	}
	return err
}

// emailText is the catalogue of the shopper's emails: per language, a
// subject and an opening line per status.
var emailText = map[string]map[string]string{
	"en": {
		"subject": "Your return %s: %s", "hello": "Hello,", "items": "Items:", "page": "See your return:",
		"address": "Send the parcel to:", "label": "Your return label:", "rma": "Your return number is %s.",
		"submitted":        "We have received your return request. We will let you know as soon as it is reviewed.",
		"approved":         "Your return is approved. Please send the items back; put the return number on the parcel.",
		"rejected":         "We are sorry: your return could not be accepted. Reason: %s",
		"shipped":          "Your return parcel is on its way to us.",
		"received":         "We have received your return and are checking the items.",
		"resolved":         "Your return is complete.",
		"expired":          "Your return has expired: the parcel was not sent in time. Start a new return if you still want to send the items back.",
		"status_submitted": "submitted", "status_approved": "approved", "status_rejected": "rejected", "status_shipped": "on its way",
		"status_received": "received", "status_resolved": "complete", "status_expired": "expired",
	},
	"de": {
		"subject": "Ihre Rücksendung %s: %s", "hello": "Hallo,", "items": "Artikel:", "page": "Ihre Rücksendung ansehen:",
		"address": "Senden Sie das Paket an:", "label": "Ihr Rücksendeetikett:", "rma": "Ihre Rücksendenummer ist %s.",
		"submitted":        "Wir haben Ihre Rücksendeanfrage erhalten und melden uns, sobald sie geprüft ist.",
		"approved":         "Ihre Rücksendung ist genehmigt. Bitte senden Sie die Artikel zurück und vermerken Sie die Rücksendenummer auf dem Paket.",
		"rejected":         "Leider können wir Ihre Rücksendung nicht annehmen. Grund: %s",
		"shipped":          "Ihr Rücksendepaket ist auf dem Weg zu uns.",
		"received":         "Wir haben Ihre Rücksendung erhalten und prüfen die Artikel.",
		"resolved":         "Ihre Rücksendung ist abgeschlossen.",
		"expired":          "Ihre Rücksendung ist abgelaufen, weil das Paket nicht rechtzeitig versandt wurde. Starten Sie bei Bedarf eine neue Rücksendung.",
		"status_submitted": "eingereicht", "status_approved": "genehmigt", "status_rejected": "abgelehnt", "status_shipped": "unterwegs",
		"status_received": "erhalten", "status_resolved": "abgeschlossen", "status_expired": "abgelaufen",
	},
	"fr": {
		"subject": "Votre retour %s : %s", "hello": "Bonjour,", "items": "Articles :", "page": "Voir votre retour :",
		"address": "Envoyez le colis à :", "label": "Votre étiquette de retour :", "rma": "Votre numéro de retour est %s.",
		"submitted":        "Nous avons reçu votre demande de retour. Nous vous tiendrons informé dès qu'elle aura été examinée.",
		"approved":         "Votre retour est accepté. Renvoyez les articles en indiquant le numéro de retour sur le colis.",
		"rejected":         "Nous sommes désolés : votre retour n'a pas pu être accepté. Motif : %s",
		"shipped":          "Votre colis retour est en route vers nous.",
		"received":         "Nous avons reçu votre retour et vérifions les articles.",
		"resolved":         "Votre retour est terminé.",
		"expired":          "Votre retour a expiré : le colis n'a pas été envoyé à temps. Créez un nouveau retour si vous souhaitez toujours renvoyer les articles.",
		"status_submitted": "envoyé", "status_approved": "accepté", "status_rejected": "refusé", "status_shipped": "en route",
		"status_received": "reçu", "status_resolved": "terminé", "status_expired": "expiré",
	},
	"es": {
		"subject": "Su devolución %s: %s", "hello": "Hola:", "items": "Artículos:", "page": "Ver su devolución:",
		"address": "Envíe el paquete a:", "label": "Su etiqueta de devolución:", "rma": "Su número de devolución es %s.",
		"submitted":        "Hemos recibido su solicitud de devolución. Le avisaremos en cuanto la revisemos.",
		"approved":         "Su devolución está aprobada. Envíe los artículos e indique el número de devolución en el paquete.",
		"rejected":         "Lo sentimos: no hemos podido aceptar su devolución. Motivo: %s",
		"shipped":          "Su paquete de devolución está en camino.",
		"received":         "Hemos recibido su devolución y estamos revisando los artículos.",
		"resolved":         "Su devolución se ha completado.",
		"expired":          "Su devolución ha caducado: el paquete no se envió a tiempo. Inicie una nueva devolución si aún desea devolver los artículos.",
		"status_submitted": "enviada", "status_approved": "aprobada", "status_rejected": "rechazada", "status_shipped": "en camino",
		"status_received": "recibida", "status_resolved": "completada", "status_expired": "caducada",
	},
}

// message renders the email about the return's current status in its
// language.
func message(r waybill.Return, orgName string, st waybill.ReturnSettings, pageURL string) (subject, text string) {
	lang := pageLanguage(r.Language)
	t := func(key string) string {
		if s, ok := emailText[lang][key]; ok {
			return s
		}
		return emailText["en"][key]
	}
	subject = fmt.Sprintf(t("subject"), r.RMA, t("status_"+string(r.Status)))
	if orgName != "" {
		subject = orgName + ": " + subject
	}
	var b strings.Builder
	b.WriteString(t("hello") + "\n\n")
	opening := t(string(r.Status))
	if r.Status == waybill.ReturnRejected {
		opening = fmt.Sprintf(opening, r.RejectReason)
	}
	b.WriteString(opening + "\n" + fmt.Sprintf(t("rma"), r.RMA) + "\n\n" + t("items") + "\n")
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "- %d × %s\n", l.Quantity, l.Name)
	}
	if r.Status == waybill.ReturnApproved {
		if r.LabelURL != "" {
			b.WriteString("\n" + t("label") + "\n" + r.LabelURL + "\n")
		}
		if st.ReturnAddress != "" {
			b.WriteString("\n" + t("address") + "\n" + st.ReturnAddress + "\n")
		}
	}
	if pageURL != "" && r.PageToken != "" {
		b.WriteString("\n" + t("page") + "\n" + pageURL + "\n")
	}
	if orgName != "" {
		b.WriteString("\n" + orgName + "\n")
	}
	return subject, b.String()
}
