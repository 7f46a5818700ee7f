package admin

import (
	"context"
	"net/http"
	"net/url"
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
func (a *API) apiLogs(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	f, err := logFilter(r.URL.Query())
	if err != nil {
		return err
	}
	logs, err := a.Logs.APILogs(r.Context(), org.ID, f)
	if err != nil {
		return err
	}
	if logs == nil {
		logs = []waybill.InboundMessage{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"logs": logs})
}

// logFilter reads the filters of GET /v1/api-logs; a malformed one is
// EINVALID naming it.
func logFilter(v url.Values) (waybill.InboundFilter, error) {
	f := waybill.InboundFilter{Status: v.Get("status"), Kind: v.Get("kind"), ExternalID: v.Get("external_id")}
	if f.ExternalID == "" {
		f.ExternalID = v.Get("externalId")
	}
	bad := func(name string) error {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "%s is invalid", name)
	}
	// Text filters are compared with stored text: what no stored value
	// can be (invalid UTF-8, a NUL, which PostgreSQL refuses, or another
	// control character) is refused here, on both engines alike.
	for name, s := range map[string]string{"kind": f.Kind, "external_id": f.ExternalID} {
		if !waybill.CleanLine(s, 1000) {
			return f, bad(name)
		}
	}
	var err error
	if s := v.Get("channel"); s != "" {
		if f.ChannelID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return f, bad("channel")
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if s := v.Get(name); s != "" {
			if *dst, err = time.Parse(time.RFC3339, s); err != nil {
				return f, bad(name)
			}
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if s := v.Get(name); s != "" {
			if *dst, err = strconv.Atoi(s); err != nil || *dst < 0 || (name == "limit" && *dst > 1000) {
				return f, bad(name)
			}
		}
	}
	switch f.Status {
	case "", waybill.InboundPending, waybill.InboundDone, waybill.InboundFailed:
	default:
		return f, bad("status")
	}
	return f, nil
}
