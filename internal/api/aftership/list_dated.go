package aftership

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
)

// listPageDated is what a 2026-07 list answers: the page of trackings and
// its pagination.
type listPageDated struct {
	Trackings  []waybill.Tracking
	Pagination pagination
	Fields     string // the request's fields parameter (selectFields)
	PublicURL  string // for the tracking page links (withPageLinks)
}

// data is the page's data object for writeEnvelope: the reflective form
// of the response, which writeListDated writes without reflection.
func (p listPageDated) data() map[string]any {
	out := make([]any, len(p.Trackings))
	for i, t := range p.Trackings {
		out[i] = selectFields(withPageLinks(renderTrackingDated(t), t, p.PublicURL), p.Fields)
	}
	return map[string]any{"trackings": out, "pagination": p.Pagination}
}

// writeListDated answers 200 with the page: the bytes writeOK(w, p.data())
// writes (TestWriteListDated compares them), with a Content-Length, built
// without reflection. A page that asks for some fields only or holds a
// number JSON cannot carry goes to writeOK.
func writeListDated(w http.ResponseWriter, p listPageDated) {
	if strings.TrimSpace(p.Fields) != "" {
		writeOK(w, p.data())
		return
	}
	bp := listBuffers.get()
	defer listBuffers.put(bp)
	b := append(*bp, `{"meta":{"code":200,"message":"","type":"OK"},"data":{"pagination":{"total":`...)
	b = strconv.AppendInt(b, int64(p.Pagination.Total), 10)
	b = append(b, `,"next_cursor":`...)
	b = appendJSONString(b, p.Pagination.NextCursor)
	b = append(b, `,"has_next_page":`...)
	b = appendBool(b, p.Pagination.HasNextPage)
	b = append(b, `},"trackings":[`...)
	for i := range p.Trackings {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendTrackingOfDated(b, &p.Trackings[i], p.PublicURL); !ok {
			*bp = b
			writeOK(w, p.data())
			return
		}
	}
	b = append(b, "]}}\n"...)
	*bp = b
	writeJSONBytes(w, http.StatusOK, b)
}
