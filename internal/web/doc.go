// Package web is the face of the hosted tracking pages: /t/{token} for one
// tracking, /t/{token}/order for every shipment of its order, and each
// organization's tracking portal with its lookup form (at /track/{org}, or
// at / on the organization's custom host). Pages are rendered on the server
// with embedded assets; they run no JavaScript and make no third-party
// request except for the organization's logo. The templates under templates/
// render every page; the shipments and error pages, the ones viewed most,
// are written by a hand-written renderer (render_page.go) that tests hold
// to the templates' output byte for byte, html/template's escaping included.
//
// The face only translates: what a page may show (privacy, masking, order
// proof) is decided by the core service behind the Pages interface.
package web
