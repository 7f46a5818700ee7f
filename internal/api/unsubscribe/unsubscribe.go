// Package unsubscribe is the face of the one-click unsubscribe link that
// every customer notification carries: GET /u/{token} shows a confirmation,
// POST /u/{token} unsubscribes (RFC 8058: a mail client's one-click POST
// carries "List-Unsubscribe=One-Click" and needs no confirmation).
package unsubscribe

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
)

// Subscriptions is what the face needs of the notification core.
type Subscriptions interface {
	Subscription(ctx context.Context, token string) (notify.Subscription, error)
	Unsubscribe(ctx context.Context, token string) (notify.Subscription, error)
}

// Face serves the unsubscribe pages.
type Face struct {
	Subscriptions Subscriptions
	Logger        *slog.Logger
}

//go:embed page.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// Register adds the face's routes.
func (f *Face) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/{token}", f.show)
	mux.HandleFunc("POST /u/{token}", f.unsubscribe)
}

func (f *Face) show(w http.ResponseWriter, r *http.Request) {
	sub, err := f.Subscriptions.Subscription(r.Context(), r.PathValue("token"))
	f.render(w, r, sub, err, false)
}

func (f *Face) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	sub, err := f.Subscriptions.Unsubscribe(r.Context(), r.PathValue("token"))
	f.render(w, r, sub, err, true)
}

type view struct {
	Words   words
	Sub     notify.Subscription
	Found   bool
	Done    bool // after the POST
	Action  string
	Lang    string
	Channel string
}

func (f *Face) render(w http.ResponseWriter, r *http.Request, sub notify.Subscription, err error, posted bool) {
	status := http.StatusOK
	v := view{Sub: sub, Found: err == nil, Done: posted, Action: r.URL.Path, Lang: notify.MatchLanguage(sub.Language)}
	v.Words = dictionary[v.Lang]
	v.Channel = v.Words.Email
	if sub.Channel == waybill.ChannelSMS {
		v.Channel = v.Words.SMS
	}
	if err != nil {
		status = http.StatusNotFound
		if waybill.ErrorCode(err) != waybill.ENOTFOUND {
			status = http.StatusInternalServerError
			if f.Logger != nil {
				f.Logger.Error("unsubscribe", "err", err)
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = page.Execute(w, v)
}

type words struct {
	Title, Confirm, Button, Done, Already, NotFound, Email, SMS, Error string
}

var dictionary = map[string]words{
	"en": {Title: "Unsubscribe", Confirm: "Stop %s messages from %s about parcel %s to %s?", Button: "Unsubscribe",
		Done: "Done: %s will get no more messages about parcel %s.", Already: "%s gets no messages about parcel %s.",
		NotFound: "This link is not valid or has expired.", Email: "email", SMS: "text"},
	"de": {Title: "Abmelden", Confirm: "Keine %s-Nachrichten mehr von %s zur Sendung %s an %s?", Button: "Abmelden",
		Done: "Erledigt: %s erhält keine Nachrichten mehr zur Sendung %s.", Already: "%s erhält keine Nachrichten zur Sendung %s.",
		NotFound: "Dieser Link ist ungültig oder abgelaufen.", Email: "E-Mail", SMS: "SMS"},
	"fr": {Title: "Se désabonner", Confirm: "Ne plus recevoir de messages (%s) de %s pour le colis %s à %s ?", Button: "Se désabonner",
		Done: "C'est fait : %s ne recevra plus de messages pour le colis %s.", Already: "%s ne reçoit pas de messages pour le colis %s.",
		NotFound: "Ce lien n'est pas valide ou a expiré.", Email: "e-mail", SMS: "SMS"},
	"es": {Title: "Darse de baja", Confirm: "¿Dejar de recibir mensajes (%s) de %s sobre el paquete %s en %s?", Button: "Darse de baja",
		Done: "Listo: %s no recibirá más mensajes sobre el paquete %s.", Already: "%s no recibe mensajes sobre el paquete %s.",
		NotFound: "Este enlace no es válido o ha caducado.", Email: "correo", SMS: "SMS"},
}
