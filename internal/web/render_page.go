package web

import (
	"strconv"
	"time"

	"github.com/waybillhq/waybill/internal/portal"
)

// appendPage appends the page of a shipments or error view without
// html/template, and reports false for any other kind (the caller then
// executes the templates). The output is byte for byte what
// templates/layout.html and templates/shipments.html render for the same
// view, escaping included: render_test.go and the fuzz test hold it to
// that, so the templates stay the specification.
func appendPage(b []byte, v *view) ([]byte, bool) {
	if v.Kind != "shipments" && v.Kind != "error" {
		return b, false
	}
	b = append(b, "<!doctype html>\n<html lang=\""...)
	b = appendHTML(b, v.Lang)
	b = append(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"+
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"+
		"<meta name=\"referrer\" content=\"no-referrer\">\n"+
		"<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>"...)
	b = appendHTML(b, v.Title)
	b = append(b, " · "...)
	b = appendHTML(b, v.OrgName)
	b = append(b, "</title>\n<link rel=\"stylesheet\" href=\""...)
	b = appendURLAttr(b, v.CSS)
	b = append(b, "\">"...)
	if v.AccentCSS != "" {
		b = append(b, "\n<link rel=\"stylesheet\" href=\""...)
		b = appendURLAttr(b, v.AccentCSS)
		b = append(b, "\">"...)
	}
	b = append(b, "\n</head>\n<body>\n<header class=\"brand\">"...)
	if v.LogoURL != "" {
		b = append(b, "\n<img class=\"logo\" src=\""...)
		b = appendURLAttr(b, v.LogoURL)
		b = append(b, "\" alt=\""...)
		b = appendHTML(b, v.OrgName)
		b = append(b, "\" height=\"40\">"...)
	} else {
		b = append(b, "\n<p class=\"org\">"...)
		b = appendHTML(b, v.OrgName)
		b = append(b, "</p>"...)
	}
	b = append(b, "\n</header>\n<main>"...)
	if v.Message != "" {
		b = append(b, "\n<p class=\"message\" role=\"alert\">"...)
		b = appendHTML(b, v.Message)
		b = append(b, "</p>"...)
	}
	if v.Kind == "shipments" {
		b = appendShipments(b, v)
	} else {
		b = append(b, "<h1>"...)
		b = appendHTML(b, v.Title)
		b = append(b, "</h1>"...)
	}
	b = append(b, "\n</main>"...)
	if v.SupportEmail != "" || v.SupportURL != "" {
		b = append(b, "\n<footer>\n<h2>"...)
		b = appendHTML(b, v.L.Text("support"))
		b = append(b, "</h2>\n<ul class=\"support\">"...)
		if v.SupportEmail != "" {
			b = append(b, "\n<li><a href=\"mailto:"...)
			b = appendURLPartAttr(b, v.SupportEmail)
			b = append(b, "\">"...)
			b = appendHTML(b, v.L.Text("support_email"))
			b = append(b, "</a></li>"...)
		}
		if v.SupportURL != "" {
			b = append(b, "\n<li><a href=\""...)
			b = appendURLAttr(b, v.SupportURL)
			b = append(b, "\" rel=\"noopener noreferrer\">"...)
			b = appendHTML(b, v.L.Text("support_url"))
			b = append(b, "</a></li>"...)
		}
		b = append(b, "\n</ul>\n</footer>"...)
	}
	return append(b, "\n</body>\n</html>\n"...), true
}

// appendShipments is templates/shipments.html.
func appendShipments(b []byte, v *view) []byte {
	l := v.L
	b = append(b, "<h1>"...)
	b = appendHTML(b, v.Title)
	b = append(b, "</h1>"...)
	if o := v.Order; o != nil {
		if r := o.Recipient; r != nil {
			b = append(b, "\n<section class=\"recipient\" aria-labelledby=\"ship-to\">\n<h2 id=\"ship-to\">"...)
			b = appendHTML(b, l.Text("ship_to"))
			b = append(b, "</h2>\n<address>"...)
			b = appendHTML(b, r.Name)
			for _, line := range r.Address {
				b = append(b, "<br>"...)
				b = appendHTML(b, line)
			}
			b = append(b, "</address>\n</section>"...)
		}
		if len(o.Items) > 0 {
			b = append(b, "\n<section class=\"items\" aria-labelledby=\"items\">\n<h2 id=\"items\">"...)
			b = appendHTML(b, l.Text("items"))
			b = append(b, "</h2>\n<ul>"...)
			for _, it := range o.Items {
				b = append(b, "\n<li><span class=\"qty\">"...)
				b = appendHTML(b, l.T("quantity", it.Quantity))
				b = append(b, "</span> "...)
				b = appendHTML(b, it.Name)
				b = append(b, "</li>"...)
			}
			b = append(b, "\n</ul>\n</section>"...)
		}
	}
	if len(v.Shipments) == 0 {
		b = append(b, "\n<p>"...)
		b = appendHTML(b, l.Text("no_shipments"))
		b = append(b, "</p>"...)
	}
	n := len(v.Shipments)
	for i := range v.Shipments {
		b = appendShipment(b, v, &v.Shipments[i], i, n)
	}
	if v.PortalURL != "" {
		b = append(b, "\n<p class=\"again\"><a href=\""...)
		b = appendURLAttr(b, v.PortalURL)
		b = append(b, "\">"...)
		b = appendHTML(b, l.Text("new_search"))
		b = append(b, "</a></p>"...)
	}
	return b
}

// appendShipment is one {{range}} of the shipments template: shipment i
// of n.
func appendShipment(b []byte, v *view, s *portal.Shipment, i, n int) []byte {
	l := v.L
	b = append(b, "\n<article class=\"shipment tag-"...)
	b = appendHTML(b, string(s.Tag))
	b = append(b, "\" aria-labelledby=\"status-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\">"...)
	if n > 1 {
		b = append(b, "\n<p class=\"count\">"...)
		b = appendHTML(b, l.T("shipment_n", i+1, n))
		b = append(b, "</p>"...)
	}
	b = append(b, "\n<h2 id=\"status-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\" class=\"status\">"...)
	b = appendHTML(b, l.Tag(s.Tag))
	b = append(b, "</h2>"...)
	if sub := l.Subtag(s.Tag, s.Subtag, s.SubtagMessage); sub != "" {
		b = append(b, "\n<p class=\"subtag\">"...)
		b = appendHTML(b, sub)
		b = append(b, "</p>"...)
	}
	b = append(b, "\n<ol class=\"timeline\" aria-label=\""...)
	b = appendHTML(b, l.Text("progress"))
	b = append(b, "\">"...)
	for _, st := range s.Steps {
		b = append(b, "\n<li class=\"step "...)
		b = appendHTML(b, string(st.State))
		b = append(b, '"')
		if st.State == "current" {
			b = append(b, " aria-current=\"step\""...)
		}
		b = append(b, "><span class=\"label\">"...)
		b = appendHTML(b, l.Tag(st.Tag))
		b = append(b, "</span> <span class=\"state\">("...)
		b = appendHTML(b, l.Text(stepKey(st.State)))
		b = append(b, ")</span></li>"...)
	}
	b = append(b, "\n</ol>\n<dl class=\"facts\">\n<dt>"...)
	b = appendHTML(b, l.Text("tracking_number"))
	b = append(b, "</dt>\n<dd class=\"number\">"...)
	b = appendHTML(b, s.TrackingNumber)
	b = append(b, "</dd>\n<dt>"...)
	b = appendHTML(b, l.Text("courier"))
	b = append(b, "</dt>\n<dd class=\"courier\">"...)
	switch {
	case s.CourierHidden && s.CourierName == "":
		b = appendHTML(b, l.Text("courier_hidden"))
	case s.CourierHidden:
		b = appendHTML(b, s.CourierName)
	default:
		b = appendHTML(b, s.CourierName)
		if s.CourierURL != "" {
			b = append(b, " · <a href=\""...)
			b = appendURLAttr(b, s.CourierURL)
			b = append(b, "\" rel=\"noopener noreferrer\">"...)
			b = appendHTML(b, l.Text("track_at_courier"))
			b = append(b, "</a>"...)
		}
	}
	b = append(b, "</dd>"...)
	if s.ExpectedDelivery != "" {
		b = append(b, "\n<dt>"...)
		b = appendHTML(b, l.Text("expected_delivery"))
		b = append(b, "</dt>\n<dd class=\"edd\"><time datetime=\""...)
		b = appendHTML(b, s.ExpectedDelivery)
		b = append(b, "\">"...)
		b = appendHTML(b, l.Date(s.ExpectedDelivery))
		b = append(b, "</time></dd>"...)
	}
	if s.Destination != "" {
		b = append(b, "\n<dt>"...)
		b = appendHTML(b, l.Text("destination"))
		b = append(b, "</dt>\n<dd class=\"destination\">"...)
		b = appendHTML(b, s.Destination)
		b = append(b, "</dd>"...)
	}
	b = append(b, "\n</dl>"...)
	if v.ReturnsOn && s.Tag == "Delivered" && s.Token != "" {
		b = append(b, "\n<p class=\"start-return\"><a class=\"button\" href=\"/t/"...)
		b = appendURLPartAttr(b, s.Token)
		b = append(b, "/return\">"...)
		b = appendHTML(b, l.Text("start_return"))
		b = append(b, "</a></p>"...)
	}
	b = append(b, "\n<section class=\"history\" aria-labelledby=\"history-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\">\n<h3 id=\"history-"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "\">"...)
	b = appendHTML(b, l.Text("history"))
	b = append(b, "</h3>"...)
	if len(s.Checkpoints) > 0 {
		b = append(b, "\n<ol class=\"checkpoints\">"...)
		for j := range s.Checkpoints {
			b = appendCheckpoint(b, l, &s.Checkpoints[j])
		}
		b = append(b, "\n</ol>"...)
	} else {
		b = append(b, "\n<p class=\"empty\">"...)
		b = appendHTML(b, l.Text("no_checkpoints"))
		b = append(b, "</p>"...)
	}
	return append(b, "\n</section>\n</article>"...)
}

func appendCheckpoint(b []byte, l localizer, c *portal.Checkpoint) []byte {
	b = append(b, "\n<li class=\"checkpoint tag-"...)
	b = appendHTML(b, string(c.Tag))
	b = append(b, "\">"...)
	if c.HasTime {
		b = append(b, "<time datetime=\""...)
		b = appendHTML(b, c.Time.Format(time.RFC3339))
		b = append(b, "\">"...)
		b = appendHTML(b, l.Time(c.Time, c.Zoned))
		b = append(b, "</time>"...)
	} else {
		b = append(b, "<span class=\"time\">"...)
		b = appendHTML(b, c.Raw)
		b = append(b, "</span>"...)
	}
	b = append(b, "\n<p class=\"msg\">"...)
	b = appendHTML(b, c.Message)
	b = append(b, "</p>"...)
	if c.Location != "" {
		b = append(b, "\n<p class=\"loc\">"...)
		b = appendHTML(b, c.Location)
		b = append(b, "</p>"...)
	}
	return append(b, "\n</li>"...)
}

// stepKey is the catalogue key of a step state's name, as the template's
// printf "step_%s" builds it, without allocating for the known states.
func stepKey(s portal.StepState) string {
	switch s {
	case portal.StepDone:
		return "step_done"
	case portal.StepCurrent:
		return "step_current"
	case portal.StepTodo:
		return "step_todo"
	case portal.StepProblem:
		return "step_problem"
	}
	return "step_" + string(s)
}
