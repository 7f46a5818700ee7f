package aftership

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
)

// listPageV4 is what a v4 list answers: the page of trackings and the
// request's parameters echoed back, as AfterShip's v4 list does.
type listPageV4 struct {
	Page, Limit, Count                  int
	Keyword, Slug, Tag, Fields          string
	CreatedAtMin, CreatedAtMax          string
	Origin, Destination, ReturnToSender []string
	Trackings                           []waybill.Tracking
}

// data is the page's data object for writeEnvelope: the reflective form
// of the response, which writeListV4 writes without reflection.
func (p listPageV4) data() map[string]any {
	out := make([]any, len(p.Trackings))
	for i, t := range p.Trackings {
		out[i] = selectFields(renderTrackingV4(t), p.Fields)
	}
	return map[string]any{
		"page": p.Page, "limit": p.Limit, "count": p.Count, "keyword": p.Keyword, "slug": p.Slug,
		"origin": list(p.Origin), "destination": list(p.Destination), "tag": p.Tag, "fields": p.Fields,
		"created_at_min": p.CreatedAtMin, "created_at_max": p.CreatedAtMax,
		"return_to_sender": list(p.ReturnToSender), "trackings": out,
	}
}

// writeListV4 answers 200 with the page: the bytes writeOK(w, p.data())
// writes (TestWriteListV4 compares them), with a Content-Length, built
// without reflection. A page that asks for some fields only (selectFields)
// or holds a number JSON cannot carry goes to writeOK.
func writeListV4(w http.ResponseWriter, p listPageV4) {
	if strings.TrimSpace(p.Fields) != "" {
		writeOK(w, p.data())
		return
	}
	bp := listBuffers.get()
	defer listBuffers.put(bp)
	b, ok := appendListV4(append(*bp, `{"meta":{"code":200,"message":"","type":"OK"},"data":`...), p)
	*bp = b
	if !ok {
		writeOK(w, p.data())
		return
	}
	b = append(b, "}\n"...)
	*bp = b
	writeJSONBytes(w, http.StatusOK, b)
}

// appendListV4 appends the data object of the page with its keys in
// encoding/json's order for a map (sorted). ok is false when a tracking
// holds a number JSON cannot carry.
func appendListV4(b []byte, p listPageV4) (_ []byte, ok bool) {
	b = append(b, `{"count":`...)
	b = strconv.AppendInt(b, int64(p.Count), 10)
	b = append(b, `,"created_at_max":`...)
	b = appendJSONString(b, p.CreatedAtMax)
	b = append(b, `,"created_at_min":`...)
	b = appendJSONString(b, p.CreatedAtMin)
	b = append(b, `,"destination":`...)
	b = appendStrings(b, p.Destination)
	b = append(b, `,"fields":`...)
	b = appendJSONString(b, p.Fields)
	b = append(b, `,"keyword":`...)
	b = appendJSONString(b, p.Keyword)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(p.Limit), 10)
	b = append(b, `,"origin":`...)
	b = appendStrings(b, p.Origin)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(p.Page), 10)
	b = append(b, `,"return_to_sender":`...)
	b = appendStrings(b, p.ReturnToSender)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, p.Slug)
	b = append(b, `,"tag":`...)
	b = appendJSONString(b, p.Tag)
	b = append(b, `,"trackings":[`...)
	for i, t := range p.Trackings {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendTrackingV4(b, t); !ok {
			return b, false
		}
	}
	return append(b, "]}"...), true
}
