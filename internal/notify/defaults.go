package notify

import (
	"strings"

	"github.com/waybillhq/waybill"
	"golang.org/x/text/language"
)

// Statuses are the tracking statuses that can notify, in journey order
// (AfterShip's customer notification rules).
var Statuses = []waybill.Tag{
	waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagOutForDelivery,
	waybill.TagAvailableForPickup, waybill.TagAttemptFail, waybill.TagDelivered, waybill.TagException,
}

// Notifies reports whether a status is one that customers hear about.
func Notifies(tag waybill.Tag) bool {
	for _, s := range Statuses {
		if s == tag {
			return true
		}
	}
	return false
}

// Languages are the languages with default templates; the first is the
// fallback.
var Languages = []string{"en", "de", "fr", "es"}

var matcher = language.NewMatcher([]language.Tag{language.English, language.German, language.French, language.Spanish})

// MatchLanguage returns the default language closest to lang (a BCP 47
// tag such as "de-AT" or "fr"), English when none is close or lang is empty.
func MatchLanguage(lang string) string {
	if lang == "" {
		return "en"
	}
	t, err := language.Parse(lang)
	if err != nil {
		return "en"
	}
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return "en"
	}
	return Languages[i]
}

// catalogue holds one language's words; the default templates are built
// from it so that all statuses share one layout.
type catalogue struct {
	label    map[waybill.Tag]string // {{.Status}}
	subject  map[waybill.Tag]string // after "{{.StoreName}}: "
	headline map[waybill.Tag]string
	colon    string
	greeting string
	number   string
	expected string
	follow   string
	stop     string // unsubscribe link text, email
	stopSMS  string
}

var catalogues = map[string]catalogue{
	"en": {
		label: map[waybill.Tag]string{
			waybill.TagInfoReceived: "Info received", waybill.TagInTransit: "In transit", waybill.TagOutForDelivery: "Out for delivery",
			waybill.TagAvailableForPickup: "Ready for pickup", waybill.TagAttemptFail: "Delivery attempted", waybill.TagDelivered: "Delivered",
			waybill.TagException: "Delivery problem", waybill.TagPending: "Pending", waybill.TagExpired: "Expired",
		},
		subject: map[waybill.Tag]string{
			waybill.TagInfoReceived: "your order is ready to ship", waybill.TagInTransit: "your order is on its way",
			waybill.TagOutForDelivery: "your order is out for delivery", waybill.TagAvailableForPickup: "your order is ready for pickup",
			waybill.TagAttemptFail: "we missed you", waybill.TagDelivered: "your order has been delivered",
			waybill.TagException: "there is a problem with your delivery",
		},
		headline: map[waybill.Tag]string{
			waybill.TagInfoReceived:       "The courier has the details of your shipment and will pick it up soon.",
			waybill.TagInTransit:          "Your parcel is on its way.",
			waybill.TagOutForDelivery:     "Your parcel is out for delivery and should arrive today.",
			waybill.TagAvailableForPickup: "Your parcel is waiting for you at the pickup point.",
			waybill.TagAttemptFail:        "The courier tried to deliver your parcel but could not. The tracking page shows what happens next.",
			waybill.TagDelivered:          "Your parcel has been delivered. Enjoy!",
			waybill.TagException:          "There is a problem with the delivery of your parcel. The tracking page has the details.",
		},
		colon: ": ", greeting: "Hello{{if .CustomerName}} {{.CustomerName}}{{end}},", number: "Tracking number",
		expected: "Expected delivery", follow: "Follow your parcel", stop: "Stop messages about this shipment", stopSMS: "Stop:",
	},
	"de": {
		label: map[waybill.Tag]string{
			waybill.TagInfoReceived: "Versand vorbereitet", waybill.TagInTransit: "Unterwegs", waybill.TagOutForDelivery: "In Zustellung",
			waybill.TagAvailableForPickup: "Abholbereit", waybill.TagAttemptFail: "Zustellversuch", waybill.TagDelivered: "Zugestellt",
			waybill.TagException: "Zustellproblem", waybill.TagPending: "Ausstehend", waybill.TagExpired: "Abgelaufen",
		},
		subject: map[waybill.Tag]string{
			waybill.TagInfoReceived: "Ihre Bestellung ist versandbereit", waybill.TagInTransit: "Ihre Bestellung ist unterwegs",
			waybill.TagOutForDelivery: "Ihre Bestellung wird heute zugestellt", waybill.TagAvailableForPickup: "Ihre Bestellung liegt zur Abholung bereit",
			waybill.TagAttemptFail: "wir haben Sie nicht angetroffen", waybill.TagDelivered: "Ihre Bestellung wurde zugestellt",
			waybill.TagException: "es gibt ein Problem mit Ihrer Sendung",
		},
		headline: map[waybill.Tag]string{
			waybill.TagInfoReceived:       "Der Paketdienst hat die Daten Ihrer Sendung erhalten und holt sie bald ab.",
			waybill.TagInTransit:          "Ihr Paket ist unterwegs.",
			waybill.TagOutForDelivery:     "Ihr Paket ist in Zustellung und kommt voraussichtlich heute an.",
			waybill.TagAvailableForPickup: "Ihr Paket liegt an der Abholstelle für Sie bereit.",
			waybill.TagAttemptFail:        "Der Paketdienst konnte Ihr Paket nicht zustellen. Die nächsten Schritte stehen auf der Sendungsseite.",
			waybill.TagDelivered:          "Ihr Paket wurde zugestellt. Viel Freude damit!",
			waybill.TagException:          "Bei der Zustellung Ihres Pakets ist ein Problem aufgetreten. Details stehen auf der Sendungsseite.",
		},
		colon: ": ", greeting: "Hallo{{if .CustomerName}} {{.CustomerName}}{{end}},", number: "Sendungsnummer",
		expected: "Voraussichtliche Zustellung", follow: "Sendung verfolgen", stop: "Keine weiteren Nachrichten zu dieser Sendung", stopSMS: "Stopp:",
	},
	"fr": {
		label: map[waybill.Tag]string{
			waybill.TagInfoReceived: "Commande préparée", waybill.TagInTransit: "En transit", waybill.TagOutForDelivery: "En cours de livraison",
			waybill.TagAvailableForPickup: "Disponible au retrait", waybill.TagAttemptFail: "Tentative de livraison", waybill.TagDelivered: "Livré",
			waybill.TagException: "Problème de livraison", waybill.TagPending: "En attente", waybill.TagExpired: "Expiré",
		},
		subject: map[waybill.Tag]string{
			waybill.TagInfoReceived: "votre commande est prête à partir", waybill.TagInTransit: "votre commande est en route",
			waybill.TagOutForDelivery: "votre commande est en cours de livraison", waybill.TagAvailableForPickup: "votre commande vous attend au point de retrait",
			waybill.TagAttemptFail: "nous vous avons manqué", waybill.TagDelivered: "votre commande a été livrée",
			waybill.TagException: "un problème est survenu avec votre livraison",
		},
		headline: map[waybill.Tag]string{
			waybill.TagInfoReceived:       "Le transporteur a reçu les informations de votre envoi et va bientôt le prendre en charge.",
			waybill.TagInTransit:          "Votre colis est en route.",
			waybill.TagOutForDelivery:     "Votre colis est en cours de livraison et devrait arriver aujourd'hui.",
			waybill.TagAvailableForPickup: "Votre colis vous attend au point de retrait.",
			waybill.TagAttemptFail:        "Le transporteur n'a pas pu livrer votre colis. La page de suivi indique la suite.",
			waybill.TagDelivered:          "Votre colis a été livré. Bonne réception !",
			waybill.TagException:          "Un problème est survenu lors de la livraison de votre colis. La page de suivi donne les détails.",
		},
		colon: " : ", greeting: "Bonjour{{if .CustomerName}} {{.CustomerName}}{{end}},", number: "Numéro de suivi",
		expected: "Livraison prévue", follow: "Suivre votre colis", stop: "Ne plus recevoir de messages pour cet envoi", stopSMS: "Stop :",
	},
	"es": {
		label: map[waybill.Tag]string{
			waybill.TagInfoReceived: "Pedido preparado", waybill.TagInTransit: "En tránsito", waybill.TagOutForDelivery: "En reparto",
			waybill.TagAvailableForPickup: "Listo para recoger", waybill.TagAttemptFail: "Intento de entrega", waybill.TagDelivered: "Entregado",
			waybill.TagException: "Incidencia en la entrega", waybill.TagPending: "Pendiente", waybill.TagExpired: "Caducado",
		},
		subject: map[waybill.Tag]string{
			waybill.TagInfoReceived: "tu pedido está listo para enviarse", waybill.TagInTransit: "tu pedido está en camino",
			waybill.TagOutForDelivery: "tu pedido está en reparto", waybill.TagAvailableForPickup: "tu pedido está listo para recoger",
			waybill.TagAttemptFail: "no te hemos encontrado", waybill.TagDelivered: "tu pedido ha sido entregado",
			waybill.TagException: "hay una incidencia con tu entrega",
		},
		headline: map[waybill.Tag]string{
			waybill.TagInfoReceived:       "El transportista tiene los datos de tu envío y lo recogerá pronto.",
			waybill.TagInTransit:          "Tu paquete está en camino.",
			waybill.TagOutForDelivery:     "Tu paquete está en reparto y debería llegar hoy.",
			waybill.TagAvailableForPickup: "Tu paquete te espera en el punto de recogida.",
			waybill.TagAttemptFail:        "El transportista no pudo entregar tu paquete. La página de seguimiento indica los próximos pasos.",
			waybill.TagDelivered:          "Tu paquete ha sido entregado. ¡Que lo disfrutes!",
			waybill.TagException:          "Ha surgido una incidencia con la entrega de tu paquete. La página de seguimiento tiene los detalles.",
		},
		colon: ": ", greeting: "Hola{{if .CustomerName}} {{.CustomerName}}{{end}}:", number: "Número de seguimiento",
		expected: "Entrega prevista", follow: "Sigue tu paquete", stop: "No recibir más mensajes de este envío", stopSMS: "Baja:",
	},
}

// StatusLabel is the customer-facing name of a status, or of the status
// a return key leads to, in a language (matched as MatchLanguage does).
func StatusLabel(tag waybill.Tag, lang string) string {
	if returnKey(tag) {
		return returnCatalogues[MatchLanguage(lang)].label[returnStatus(tag)]
	}
	if l, ok := catalogues[MatchLanguage(lang)].label[tag]; ok {
		return l
	}
	return string(tag)
}

var defaults = func() map[string]*Compiled {
	m := map[string]*Compiled{}
	for _, lang := range Languages {
		for _, tag := range Statuses {
			m[defaultKey(tag, lang)] = MustCompile(defaultTemplate(tag, lang))
		}
		for _, key := range ReturnKeys {
			m[defaultKey(key, lang)] = MustCompile(defaultReturnTemplate(key, lang))
		}
	}
	return m
}()

func defaultKey(tag waybill.Tag, lang string) string { return string(tag) + "/" + lang }

// Default returns the built-in template of a notifying status or a
// return key in one of Languages (another language gets MatchLanguage's),
// and false for a status that does not notify.
func Default(tag waybill.Tag, lang string) (*Compiled, bool) {
	c, ok := defaults[defaultKey(tag, MatchLanguage(lang))]
	return c, ok
}

func defaultTemplate(tag waybill.Tag, lang string) Template {
	c := catalogues[lang]
	subject := "{{.StoreName}}" + c.colon + c.subject[tag]
	var text strings.Builder
	text.WriteString(c.greeting + "\n\n" + c.headline[tag] + "\n\n")
	text.WriteString(c.number + c.colon + "{{.TrackingNumber}} ({{.Courier}})\n")
	text.WriteString("{{if .ExpectedDelivery}}" + c.expected + c.colon + "{{.ExpectedDelivery}}\n{{end}}")
	text.WriteString(c.follow + c.colon + "{{.PageURL}}\n\n-- \n{{.StoreName}}\n" + c.stop + c.colon + "{{.UnsubscribeURL}}\n")
	html := `<!DOCTYPE html>
<html lang="` + lang + `">
<head><meta charset="utf-8"><title>` + subject + `</title></head>
<body style="margin:0;padding:24px;font-family:Helvetica,Arial,sans-serif;color:#1f2933;background:#f5f7fa">
<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
<p>` + c.greeting + `</p>
<p style="font-size:18px"><strong>` + c.headline[tag] + `</strong></p>
<p>` + c.number + c.colon + `{{.TrackingNumber}} ({{.Courier}}){{if .ExpectedDelivery}}<br>` + c.expected + c.colon + `{{.ExpectedDelivery}}{{end}}</p>
<p><a href="{{.PageURL}}" style="display:inline-block;padding:12px 20px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px">` + c.follow + `</a></p>
<p style="font-size:12px;color:#7b8794">{{.StoreName}} &middot; <a href="{{.UnsubscribeURL}}" style="color:#7b8794">` + c.stop + `</a></p>
</div>
</body>
</html>
`
	sms := subject + ". {{.PageURL}} " + c.stopSMS + " {{.UnsubscribeURL}}"
	return Template{Subject: subject, HTML: html, Text: text.String(), SMS: sms}
}
