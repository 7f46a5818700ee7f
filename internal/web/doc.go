// Package web is the face of the hosted tracking pages: /t/{token} for one
// tracking, /t/{token}/order for every shipment of its order, and each
// organization's tracking portal with its lookup form (at /track/{org}, or
// at / on the organization's custom host). Pages are rendered on the server
// with html/template and embedded assets; they run no JavaScript and make no
// third-party request except for the organization's logo.
//
// The face only translates: what a page may show (privacy, masking, order
// proof) is decided by the core service behind the Pages interface.
package web
