package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
)

// APILogs is what the admin face needs to read the API logs (inbound
// messages and their outcome).
type APILogs interface {
	APILogs(ctx context.Context, orgID int64, f waybill.InboundFilter) ([]waybill.InboundMessage, error)
}

// apiLogs serves GET /v1/api-logs: inbound messages, newest first, with
// their outcome. Filters: channel, status (pending, done, failed), kind,
// external_id (or externalId), since and until (RFC 3339, on received_at),
// limit (at most 1000) and offset.
func (a *API) apiLogs(w http.ResponseWriter, r *http.Request, org waybill.Organization) {
	v := r.URL.Query()
	f := waybill.InboundFilter{Status: v.Get("status"), Kind: v.Get("kind"), ExternalID: v.Get("external_id")}
	if f.ExternalID == "" {
		f.ExternalID = v.Get("externalId")
	}
	bad := func(name string) {
		a.writeError(w, r, waybill.Invalid(waybill.ReasonFieldInvalid, "%s is invalid", name))
	}
	var err error
	if s := v.Get("channel"); s != "" {
		if f.ChannelID, err = strconv.ParseInt(s, 10, 64); err != nil {
			bad("channel")
			return
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if s := v.Get(name); s != "" {
			if *dst, err = time.Parse(time.RFC3339, s); err != nil {
				bad(name)
				return
			}
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if s := v.Get(name); s != "" {
			if *dst, err = strconv.Atoi(s); err != nil || *dst < 0 || (name == "limit" && *dst > 1000) {
				bad(name)
				return
			}
		}
	}
	switch f.Status {
	case "", waybill.InboundPending, waybill.InboundDone, waybill.InboundFailed:
	default:
		bad("status")
		return
	}
	logs, err := a.Logs.APILogs(r.Context(), org.ID, f)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if logs == nil {
		logs = []waybill.InboundMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"logs": logs})
}
