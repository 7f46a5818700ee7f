package returns

import (
	"net/url"
	"strings"
)

// The shopper's return pages, served by internal/web:
//
//	/t/{page token}/return    start a return of the order a shipment belongs to
//	/track/{org}/returns      the organization's returns lookup (order number + email or postal code)
//	/returns                  the same on the organization's custom host
//	/r/{return page token}    one return: status, label, return parcel
//
// StartURL and PortalURL build the first two, so that every face links to
// them the same way (the Tracker API's referenceLinks.returnsUrl).

// StartURL is where a shopper starts a return of the order the tracking
// with that page token belongs to; "" when the token is empty.
func StartURL(publicURL, pageToken string) string {
	if pageToken == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + "/t/" + url.PathEscape(pageToken) + "/return"
}

// PortalURL is the organization's returns lookup.
func PortalURL(publicURL, orgName string) string {
	return strings.TrimRight(publicURL, "/") + "/track/" + url.PathEscape(orgName) + "/returns"
}

// PageURL is the shopper's page of one return.
func PageURL(publicURL, returnToken string) string {
	return strings.TrimRight(publicURL, "/") + "/r/" + url.PathEscape(returnToken)
}
