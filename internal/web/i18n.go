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
		"quantity":                  "%d ×",
		"start_return":              "Start a return",
		"title_return_start":        "Start a return",
		"return_lookup_hint":        "Enter your order number and the email or postal code of the order.",
		"return_verify_hint":        "To see what you can return, enter the email or postal code of the order.",
		"return_verify":             "Email or postal code of the order",
		"submit_find_return":        "Find my order",
		"return_missing_fields":     "Enter the order number and the email or postal code of the order.",
		"title_return_items":        "Return items from order %s",
		"return_deadline":           "Returns are accepted until %s.",
		"return_qty":                "Quantity to return",
		"return_reason":             "Reason",
		"choose":                    "Choose…",
		"return_comment":            "Comment",
		"return_comment_hint":       "Required for reasons marked *.",
		"return_resolution":         "What would you like?",
		"res_refund":                "Refund",
		"res_store_credit":          "Store credit",
		"res_exchange":              "Exchange",
		"submit_return":             "Submit return",
		"not_returnable_item":       "This item cannot be returned.",
		"returned_all":              "Already in a return.",
		"closed_window_passed":      "The return window for this order closed on %s.",
		"closed_not_delivered":      "This order can be returned once it has been delivered.",
		"closed_disabled":           "Returns are not offered for this order.",
		"closed_nothing_returnable": "Nothing in this order can be returned any more.",
		"return_over_quantity":      "Some of these items are already in another return. Check the quantities and try again.",
		"return_choose_items":       "Choose at least one item, with a reason and what you would like.",
		"title_return_done":         "Your return is registered",
		"title_return":              "Return %s",
		"return_number":             "Return number",
		"return_status":             "Status",
		"rstatus_submitted":         "Submitted",
		"rstatus_approved":          "Approved",
		"rstatus_rejected":          "Rejected",
		"rstatus_shipped":           "On its way to us",
		"rstatus_received":          "Received",
		"rstatus_resolved":          "Complete",
		"rstatus_expired":           "Expired",
		"next_submitted":            "We will review your return and email you as soon as it is approved.",
		"next_approved":             "Send the items back. Put the return number on the parcel.",
		"next_rejected":             "We could not accept this return.",
		"next_shipped":              "Your parcel is on its way to us. We will email you when it arrives.",
		"next_received":             "We have received your parcel and are checking the items.",
		"next_resolved":             "Your return is complete.",
		"next_expired":              "The parcel was not sent in time. Start a new return if you still want to send the items back.",
		"reject_reason":             "Reason",
		"return_how":                "How to send it back",
		"return_label":              "Download your return label",
		"return_address":            "Send your parcel to:",
		"parcel_number":             "Tracking number of your return parcel",
		"submit_parcel":             "Save tracking number",
		"track_parcel":              "Track your return parcel",
		"parcel_invalid":            "We could not use this tracking number. Check it and try again.",
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
		"quantity":                  "%d ×",
		"start_return":              "Rücksendung starten",
		"title_return_start":        "Rücksendung starten",
		"return_lookup_hint":        "Geben Sie Ihre Bestellnummer und die E-Mail-Adresse oder Postleitzahl der Bestellung ein.",
		"return_verify_hint":        "Geben Sie die E-Mail-Adresse oder Postleitzahl der Bestellung ein, um zu sehen, was Sie zurücksenden können.",
		"return_verify":             "E-Mail oder Postleitzahl der Bestellung",
		"submit_find_return":        "Bestellung finden",
		"return_missing_fields":     "Geben Sie die Bestellnummer und die E-Mail-Adresse oder Postleitzahl der Bestellung ein.",
		"title_return_items":        "Artikel aus Bestellung %s zurücksenden",
		"return_deadline":           "Rücksendungen sind bis %s möglich.",
		"return_qty":                "Menge",
		"return_reason":             "Grund",
		"choose":                    "Bitte wählen…",
		"return_comment":            "Kommentar",
		"return_comment_hint":       "Pflicht bei Gründen mit *.",
		"return_resolution":         "Was möchten Sie?",
		"res_refund":                "Erstattung",
		"res_store_credit":          "Gutschrift",
		"res_exchange":              "Umtausch",
		"submit_return":             "Rücksendung absenden",
		"not_returnable_item":       "Dieser Artikel ist von der Rückgabe ausgeschlossen.",
		"returned_all":              "Bereits in einer Rücksendung.",
		"closed_window_passed":      "Die Rückgabefrist dieser Bestellung ist am %s abgelaufen.",
		"closed_not_delivered":      "Diese Bestellung kann nach der Zustellung zurückgesendet werden.",
		"closed_disabled":           "Für diese Bestellung sind keine Rücksendungen möglich.",
		"closed_nothing_returnable": "Aus dieser Bestellung kann nichts mehr zurückgesendet werden.",
		"return_over_quantity":      "Einige dieser Artikel sind bereits in einer anderen Rücksendung. Prüfen Sie die Mengen.",
		"return_choose_items":       "Wählen Sie mindestens einen Artikel mit Grund und Wunsch.",
		"title_return_done":         "Ihre Rücksendung ist angemeldet",
		"title_return":              "Rücksendung %s",
		"return_number":             "Rücksendenummer",
		"return_status":             "Status",
		"rstatus_submitted":         "Eingereicht",
		"rstatus_approved":          "Genehmigt",
		"rstatus_rejected":          "Abgelehnt",
		"rstatus_shipped":           "Auf dem Weg zu uns",
		"rstatus_received":          "Erhalten",
		"rstatus_resolved":          "Abgeschlossen",
		"rstatus_expired":           "Abgelaufen",
		"next_submitted":            "Wir prüfen Ihre Rücksendung und schreiben Ihnen, sobald sie genehmigt ist.",
		"next_approved":             "Senden Sie die Artikel zurück und vermerken Sie die Rücksendenummer auf dem Paket.",
		"next_rejected":             "Wir konnten diese Rücksendung nicht annehmen.",
		"next_shipped":              "Ihr Paket ist auf dem Weg zu uns. Wir schreiben Ihnen, wenn es ankommt.",
		"next_received":             "Wir haben Ihr Paket erhalten und prüfen die Artikel.",
		"next_resolved":             "Ihre Rücksendung ist abgeschlossen.",
		"next_expired":              "Das Paket wurde nicht rechtzeitig versandt. Starten Sie bei Bedarf eine neue Rücksendung.",
		"reject_reason":             "Grund",
		"return_how":                "So senden Sie zurück",
		"return_label":              "Rücksendeetikett herunterladen",
		"return_address":            "Senden Sie Ihr Paket an:",
		"parcel_number":             "Sendungsnummer Ihres Rücksendepakets",
		"submit_parcel":             "Sendungsnummer speichern",
		"track_parcel":              "Rücksendepaket verfolgen",
		"parcel_invalid":            "Diese Sendungsnummer konnten wir nicht verwenden. Bitte prüfen Sie sie.",
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
		"quantity":                  "%d ×",
		"start_return":              "Faire un retour",
		"title_return_start":        "Faire un retour",
		"return_lookup_hint":        "Saisissez votre numéro de commande et l'e-mail ou le code postal de la commande.",
		"return_verify_hint":        "Pour voir ce que vous pouvez retourner, saisissez l'e-mail ou le code postal de la commande.",
		"return_verify":             "E-mail ou code postal de la commande",
		"submit_find_return":        "Retrouver ma commande",
		"return_missing_fields":     "Saisissez le numéro de commande et l'e-mail ou le code postal de la commande.",
		"title_return_items":        "Retourner des articles de la commande %s",
		"return_deadline":           "Les retours sont acceptés jusqu'au %s.",
		"return_qty":                "Quantité à retourner",
		"return_reason":             "Motif",
		"choose":                    "Choisir…",
		"return_comment":            "Commentaire",
		"return_comment_hint":       "Obligatoire pour les motifs marqués *.",
		"return_resolution":         "Que souhaitez-vous ?",
		"res_refund":                "Remboursement",
		"res_store_credit":          "Avoir",
		"res_exchange":              "Échange",
		"submit_return":             "Envoyer le retour",
		"not_returnable_item":       "Cet article ne peut pas être retourné.",
		"returned_all":              "Déjà dans un retour.",
		"closed_window_passed":      "Le délai de retour de cette commande a pris fin le %s.",
		"closed_not_delivered":      "Cette commande pourra être retournée une fois livrée.",
		"closed_disabled":           "Les retours ne sont pas proposés pour cette commande.",
		"closed_nothing_returnable": "Plus rien dans cette commande ne peut être retourné.",
		"return_over_quantity":      "Certains de ces articles sont déjà dans un autre retour. Vérifiez les quantités.",
		"return_choose_items":       "Choisissez au moins un article, avec un motif et votre souhait.",
		"title_return_done":         "Votre retour est enregistré",
		"title_return":              "Retour %s",
		"return_number":             "Numéro de retour",
		"return_status":             "Statut",
		"rstatus_submitted":         "Envoyé",
		"rstatus_approved":          "Accepté",
		"rstatus_rejected":          "Refusé",
		"rstatus_shipped":           "En route vers nous",
		"rstatus_received":          "Reçu",
		"rstatus_resolved":          "Terminé",
		"rstatus_expired":           "Expiré",
		"next_submitted":            "Nous examinons votre retour et vous écrirons dès qu'il sera accepté.",
		"next_approved":             "Renvoyez les articles en indiquant le numéro de retour sur le colis.",
		"next_rejected":             "Nous n'avons pas pu accepter ce retour.",
		"next_shipped":              "Votre colis est en route. Nous vous écrirons à son arrivée.",
		"next_received":             "Nous avons reçu votre colis et vérifions les articles.",
		"next_resolved":             "Votre retour est terminé.",
		"next_expired":              "Le colis n'a pas été envoyé à temps. Créez un nouveau retour si besoin.",
		"reject_reason":             "Motif",
		"return_how":                "Comment renvoyer",
		"return_label":              "Télécharger l'étiquette de retour",
		"return_address":            "Envoyez votre colis à :",
		"parcel_number":             "Numéro de suivi de votre colis retour",
		"submit_parcel":             "Enregistrer le numéro",
		"track_parcel":              "Suivre votre colis retour",
		"parcel_invalid":            "Nous n'avons pas pu utiliser ce numéro de suivi. Vérifiez-le.",
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
		"quantity":                  "%d ×",
		"start_return":              "Iniciar una devolución",
		"title_return_start":        "Iniciar una devolución",
		"return_lookup_hint":        "Introduzca su número de pedido y el correo o código postal del pedido.",
		"return_verify_hint":        "Para ver qué puede devolver, introduzca el correo o código postal del pedido.",
		"return_verify":             "Correo o código postal del pedido",
		"submit_find_return":        "Buscar mi pedido",
		"return_missing_fields":     "Introduzca el número de pedido y el correo o código postal del pedido.",
		"title_return_items":        "Devolver artículos del pedido %s",
		"return_deadline":           "Se aceptan devoluciones hasta el %s.",
		"return_qty":                "Cantidad a devolver",
		"return_reason":             "Motivo",
		"choose":                    "Elegir…",
		"return_comment":            "Comentario",
		"return_comment_hint":       "Obligatorio para los motivos con *.",
		"return_resolution":         "¿Qué desea?",
		"res_refund":                "Reembolso",
		"res_store_credit":          "Saldo en tienda",
		"res_exchange":              "Cambio",
		"submit_return":             "Enviar devolución",
		"not_returnable_item":       "Este artículo no se puede devolver.",
		"returned_all":              "Ya está en una devolución.",
		"closed_window_passed":      "El plazo de devolución de este pedido terminó el %s.",
		"closed_not_delivered":      "Este pedido se podrá devolver una vez entregado.",
		"closed_disabled":           "No se ofrecen devoluciones para este pedido.",
		"closed_nothing_returnable": "Ya no se puede devolver nada de este pedido.",
		"return_over_quantity":      "Algunos de estos artículos ya están en otra devolución. Revise las cantidades.",
		"return_choose_items":       "Elija al menos un artículo, con un motivo y lo que desea.",
		"title_return_done":         "Su devolución está registrada",
		"title_return":              "Devolución %s",
		"return_number":             "Número de devolución",
		"return_status":             "Estado",
		"rstatus_submitted":         "Enviada",
		"rstatus_approved":          "Aprobada",
		"rstatus_rejected":          "Rechazada",
		"rstatus_shipped":           "En camino",
		"rstatus_received":          "Recibida",
		"rstatus_resolved":          "Completada",
		"rstatus_expired":           "Caducada",
		"next_submitted":            "Revisaremos su devolución y le escribiremos en cuanto esté aprobada.",
		"next_approved":             "Envíe los artículos e indique el número de devolución en el paquete.",
		"next_rejected":             "No hemos podido aceptar esta devolución.",
		"next_shipped":              "Su paquete está en camino. Le escribiremos cuando llegue.",
		"next_received":             "Hemos recibido su paquete y estamos revisando los artículos.",
		"next_resolved":             "Su devolución se ha completado.",
		"next_expired":              "El paquete no se envió a tiempo. Inicie una nueva devolución si lo necesita.",
		"reject_reason":             "Motivo",
		"return_how":                "Cómo devolverlo",
		"return_label":              "Descargar la etiqueta de devolución",
		"return_address":            "Envíe su paquete a:",
		"parcel_number":             "Número de seguimiento de su paquete de devolución",
		"submit_parcel":             "Guardar número",
		"track_parcel":              "Seguir su paquete de devolución",
		"parcel_invalid":            "No hemos podido usar este número de seguimiento. Compruébelo.",
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

// Text is T without arguments, for the templates: a template's call of a
// variadic method builds its argument slice by reflection on every call,
// and most texts of a page take no argument.
func (l localizer) Text(key string) string {
	if s, ok := catalog[l.lang][key]; ok {
		return s
	}
	return catalog["en"][key]
}

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
