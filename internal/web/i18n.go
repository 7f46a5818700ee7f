package web

import (
	"fmt"
	"net/http"
	"time"

	"golang.org/x/text/language"

	"github.com/waybillhq/waybill"
)

// languages are the page languages, English first (the fallback); their
// order matches waybill.PageLanguages.
var languages = []language.Tag{language.English, language.German, language.French, language.Spanish}

var matcher = language.NewMatcher(languages)

// pickLanguage chooses the page language: the tracking's own language, then
// the visitor's Accept-Language, then the organization's default, then
// English. Each candidate counts only when the pages speak it.
func pickLanguage(r *http.Request, trackingLang, orgDefault string) string {
	if l := supported(trackingLang); l != "" {
		return l
	}
	if accept := r.Header.Get("Accept-Language"); accept != "" {
		if tags, _, err := language.ParseAcceptLanguage(accept); err == nil && len(tags) > 0 {
			if tag, _, conf := matcher.Match(tags...); conf != language.No {
				base, _ := tag.Base()
				return base.String()
			}
		}
	}
	if l := supported(orgDefault); l != "" {
		return l
	}
	return "en"
}

// supported returns the page language a language code names, or "".
func supported(code string) string {
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	base, _ := tag.Base()
	if _, ok := catalog[base.String()]; ok {
		return base.String()
	}
	return ""
}

// text is one language's fixed strings.
type text map[string]string

// catalog holds every fixed string of the pages in each language. A missing
// key falls back to English (a test checks none is missing).
var catalog = map[string]text{
	"en": {
		"title_shipment": "Your shipment", "title_order": "Order %s", "title_portal": "Track your order",
		"title_results": "Your shipments", "tracking_number": "Tracking number", "courier": "Courier",
		"track_at_courier": "Track on the courier's site", "expected_delivery": "Expected delivery",
		"destination": "Destination", "history": "Shipment history",
		"no_checkpoints": "No updates from the courier yet.", "progress": "Progress",
		"step_done": "done", "step_current": "current", "step_todo": "to come", "step_problem": "not reached",
		"support": "Need help?", "support_email": "Email support", "support_url": "Help centre",
		"lookup_number": "Track a parcel", "lookup_number_hint": "The tracking number from your shipping confirmation.",
		"lookup_order": "Find your order", "order_number": "Order number",
		"verify": "Email, phone or postal code of the order", "submit_track": "Track", "submit_find": "Find order",
		"not_found":      "We could not find a shipment with this tracking number.",
		"order_mismatch": "We could not find an order with this order number and contact detail. Check both and try again.",
		"rate_limited":   "Too many attempts. Please wait a minute and try again.",
		"missing_fields": "Enter a tracking number, or an order number with the email, phone or postal code of the order.",
		"items":          "Items", "ship_to": "Shipping to", "shipment_n": "Shipment %d of %d",
		"no_shipments": "This order has not shipped yet.", "page_not_found": "This tracking page does not exist.",
		"new_search": "Track another order", "courier_hidden": "Our delivery partner", "or": "or",
		"quantity": "%d ×",
	},
	"de": {
		"title_shipment": "Ihre Sendung", "title_order": "Bestellung %s", "title_portal": "Bestellung verfolgen",
		"title_results": "Ihre Sendungen", "tracking_number": "Sendungsnummer", "courier": "Versanddienstleister",
		"track_at_courier": "Beim Versanddienstleister verfolgen", "expected_delivery": "Voraussichtliche Zustellung",
		"destination": "Ziel", "history": "Sendungsverlauf",
		"no_checkpoints": "Noch keine Neuigkeiten vom Versanddienstleister.", "progress": "Fortschritt",
		"step_done": "erledigt", "step_current": "aktuell", "step_todo": "ausstehend", "step_problem": "nicht erreicht",
		"support": "Brauchen Sie Hilfe?", "support_email": "E-Mail an den Kundendienst", "support_url": "Hilfe-Center",
		"lookup_number": "Paket verfolgen", "lookup_number_hint": "Die Sendungsnummer aus Ihrer Versandbestätigung.",
		"lookup_order": "Bestellung finden", "order_number": "Bestellnummer",
		"verify": "E-Mail, Telefon oder Postleitzahl der Bestellung", "submit_track": "Verfolgen", "submit_find": "Bestellung finden",
		"not_found":      "Wir konnten keine Sendung mit dieser Sendungsnummer finden.",
		"order_mismatch": "Wir konnten keine Bestellung mit dieser Bestellnummer und Kontaktangabe finden. Prüfen Sie beides und versuchen Sie es erneut.",
		"rate_limited":   "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es erneut.",
		"missing_fields": "Geben Sie eine Sendungsnummer ein oder eine Bestellnummer mit E-Mail, Telefon oder Postleitzahl der Bestellung.",
		"items":          "Artikel", "ship_to": "Lieferung an", "shipment_n": "Sendung %d von %d",
		"no_shipments": "Diese Bestellung wurde noch nicht versandt.", "page_not_found": "Diese Sendungsseite gibt es nicht.",
		"new_search": "Weitere Bestellung verfolgen", "courier_hidden": "Unser Lieferpartner", "or": "oder",
		"quantity": "%d ×",
	},
	"fr": {
		"title_shipment": "Votre colis", "title_order": "Commande %s", "title_portal": "Suivre votre commande",
		"title_results": "Vos colis", "tracking_number": "Numéro de suivi", "courier": "Transporteur",
		"track_at_courier": "Suivre sur le site du transporteur", "expected_delivery": "Livraison prévue",
		"destination": "Destination", "history": "Historique du colis",
		"no_checkpoints": "Pas encore de nouvelles du transporteur.", "progress": "Progression",
		"step_done": "terminé", "step_current": "en cours", "step_todo": "à venir", "step_problem": "non atteint",
		"support": "Besoin d'aide ?", "support_email": "Écrire au service client", "support_url": "Centre d'aide",
		"lookup_number": "Suivre un colis", "lookup_number_hint": "Le numéro de suivi de votre confirmation d'expédition.",
		"lookup_order": "Retrouver votre commande", "order_number": "Numéro de commande",
		"verify": "E-mail, téléphone ou code postal de la commande", "submit_track": "Suivre", "submit_find": "Retrouver la commande",
		"not_found":      "Nous n'avons trouvé aucun colis avec ce numéro de suivi.",
		"order_mismatch": "Nous n'avons trouvé aucune commande avec ce numéro et cette coordonnée. Vérifiez les deux et réessayez.",
		"rate_limited":   "Trop de tentatives. Veuillez patienter une minute puis réessayer.",
		"missing_fields": "Saisissez un numéro de suivi, ou un numéro de commande avec l'e-mail, le téléphone ou le code postal de la commande.",
		"items":          "Articles", "ship_to": "Livraison à", "shipment_n": "Colis %d sur %d",
		"no_shipments": "Cette commande n'a pas encore été expédiée.", "page_not_found": "Cette page de suivi n'existe pas.",
		"new_search": "Suivre une autre commande", "courier_hidden": "Notre partenaire de livraison", "or": "ou",
		"quantity": "%d ×",
	},
	"es": {
		"title_shipment": "Su envío", "title_order": "Pedido %s", "title_portal": "Seguir su pedido",
		"title_results": "Sus envíos", "tracking_number": "Número de seguimiento", "courier": "Transportista",
		"track_at_courier": "Seguir en la web del transportista", "expected_delivery": "Entrega prevista",
		"destination": "Destino", "history": "Historial del envío",
		"no_checkpoints": "Todavía no hay novedades del transportista.", "progress": "Progreso",
		"step_done": "completado", "step_current": "actual", "step_todo": "pendiente", "step_problem": "no alcanzado",
		"support": "¿Necesita ayuda?", "support_email": "Escribir a atención al cliente", "support_url": "Centro de ayuda",
		"lookup_number": "Seguir un paquete", "lookup_number_hint": "El número de seguimiento de su confirmación de envío.",
		"lookup_order": "Buscar su pedido", "order_number": "Número de pedido",
		"verify": "Correo, teléfono o código postal del pedido", "submit_track": "Seguir", "submit_find": "Buscar pedido",
		"not_found":      "No encontramos ningún envío con este número de seguimiento.",
		"order_mismatch": "No encontramos ningún pedido con este número y este dato de contacto. Compruebe ambos e inténtelo de nuevo.",
		"rate_limited":   "Demasiados intentos. Espere un minuto y vuelva a intentarlo.",
		"missing_fields": "Introduzca un número de seguimiento, o un número de pedido con el correo, teléfono o código postal del pedido.",
		"items":          "Artículos", "ship_to": "Envío a", "shipment_n": "Envío %d de %d",
		"no_shipments": "Este pedido aún no se ha enviado.", "page_not_found": "Esta página de seguimiento no existe.",
		"new_search": "Seguir otro pedido", "courier_hidden": "Nuestro socio de entrega", "or": "o",
		"quantity": "%d ×",
	},
}

// tagNames are the status names in each language.
var tagNames = map[string]map[waybill.Tag]string{
	"en": {waybill.TagPending: "Pending", waybill.TagInfoReceived: "Info received", waybill.TagInTransit: "In transit",
		waybill.TagOutForDelivery: "Out for delivery", waybill.TagAttemptFail: "Delivery attempt failed",
		waybill.TagDelivered: "Delivered", waybill.TagAvailableForPickup: "Ready for pickup",
		waybill.TagException: "Delivery problem", waybill.TagExpired: "No recent updates"},
	"de": {waybill.TagPending: "Ausstehend", waybill.TagInfoReceived: "Informationen erhalten", waybill.TagInTransit: "Unterwegs",
		waybill.TagOutForDelivery: "In Zustellung", waybill.TagAttemptFail: "Zustellversuch fehlgeschlagen",
		waybill.TagDelivered: "Zugestellt", waybill.TagAvailableForPickup: "Zur Abholung bereit",
		waybill.TagException: "Problem bei der Zustellung", waybill.TagExpired: "Keine aktuellen Informationen"},
	"fr": {waybill.TagPending: "En attente", waybill.TagInfoReceived: "Informations reçues", waybill.TagInTransit: "En transit",
		waybill.TagOutForDelivery: "En cours de livraison", waybill.TagAttemptFail: "Échec de la livraison",
		waybill.TagDelivered: "Livré", waybill.TagAvailableForPickup: "Prêt à être retiré",
		waybill.TagException: "Incident de livraison", waybill.TagExpired: "Pas de mise à jour récente"},
	"es": {waybill.TagPending: "Pendiente", waybill.TagInfoReceived: "Información recibida", waybill.TagInTransit: "En tránsito",
		waybill.TagOutForDelivery: "En reparto", waybill.TagAttemptFail: "Intento de entrega fallido",
		waybill.TagDelivered: "Entregado", waybill.TagAvailableForPickup: "Listo para recoger",
		waybill.TagException: "Incidencia en la entrega", waybill.TagExpired: "Sin novedades recientes"},
}

// subtagNames translate the status details most shipments show; any other
// detail is shown in English, as the core names it.
var subtagNames = map[string]map[string]string{
	"de": {"InTransit_002": "Annahme erfasst", "InTransit_003": "Im Zentrum eingetroffen", "InTransit_004": "Im Zielland eingetroffen",
		"InTransit_005": "Verzollung abgeschlossen", "InTransit_006": "In der Verzollung", "InTransit_007": "Abgangsscan",
		"AttemptFail_002": "Empfänger nicht angetroffen", "Delivered_002": "Vom Kunden abgeholt", "Delivered_003": "Vom Kunden unterschrieben",
		"Delivered_005": "Beim Nachbarn zugestellt", "Exception_007": "Fehlerhafte Adresse", "Exception_010": "Rücksendung an den Absender",
		"Exception_011": "An den Absender zurückgesandt", "Exception_013": "Sendung verloren", "Expired_001": "Seit 30 Tagen keine Neuigkeiten"},
	"fr": {"InTransit_002": "Prise en charge", "InTransit_003": "Arrivé au centre", "InTransit_004": "Arrivé dans le pays de destination",
		"InTransit_005": "Dédouanement terminé", "InTransit_006": "Dédouanement en cours", "InTransit_007": "Départ du centre",
		"AttemptFail_002": "Destinataire absent", "Delivered_002": "Retiré par le client", "Delivered_003": "Signé par le client",
		"Delivered_005": "Livré chez un voisin", "Exception_007": "Adresse incorrecte", "Exception_010": "Retour à l'expéditeur en cours",
		"Exception_011": "Retourné à l'expéditeur", "Exception_013": "Colis perdu", "Expired_001": "Aucune nouvelle depuis 30 jours"},
	"es": {"InTransit_002": "Admitido", "InTransit_003": "Llegada al centro", "InTransit_004": "Llegada al país de destino",
		"InTransit_005": "Despacho de aduanas completado", "InTransit_006": "En despacho de aduanas", "InTransit_007": "Salida del centro",
		"AttemptFail_002": "Destinatario ausente", "Delivered_002": "Recogido por el cliente", "Delivered_003": "Firmado por el cliente",
		"Delivered_005": "Entregado a un vecino", "Exception_007": "Dirección incorrecta", "Exception_010": "En devolución al remitente",
		"Exception_011": "Devuelto al remitente", "Exception_013": "Envío perdido", "Expired_001": "Sin novedades desde hace 30 días"},
}

// localizer renders fixed strings, statuses and times in one language.
type localizer struct{ lang string }

func (l localizer) T(key string, args ...any) string {
	s, ok := catalog[l.lang][key]
	if !ok {
		s = catalog["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func (l localizer) Tag(tag waybill.Tag) string {
	if s, ok := tagNames[l.lang][tag]; ok {
		return s
	}
	return tagNames["en"][tag]
}

// Subtag names a status detail: translated when known, else the core's
// English message; a default subtag (_001) repeats the status name.
func (l localizer) Subtag(tag waybill.Tag, subtag, english string) string {
	if subtag == "" || subtag == string(tag)+"_001" {
		return ""
	}
	if s, ok := subtagNames[l.lang][subtag]; ok {
		return s
	}
	return english
}

var timeLayouts = map[string][2]string{
	"en": {"Jan 2, 2006 15:04", "Jan 2, 2006"},
	"de": {"02.01.2006, 15:04", "02.01.2006"},
	"fr": {"02/01/2006 15:04", "02/01/2006"},
	"es": {"02/01/2006 15:04", "02/01/2006"},
}

// Time formats a checkpoint time; zone says whether the time carries an
// offset worth showing.
func (l localizer) Time(ts time.Time, zone bool) string {
	s := ts.Format(timeLayouts[l.lang][0])
	if zone {
		if name := ts.Format("MST"); name[0] != '+' && name[0] != '-' {
			s += " " + name
		} else {
			s += " UTC" + ts.Format("-07:00")
		}
	}
	return s
}

// Date formats a YYYY-MM-DD date.
func (l localizer) Date(ymd string) string {
	d, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	return d.Format(timeLayouts[l.lang][1])
}
