// Package openapi holds Waybill's OpenAPI 3.1 documents, one per face
// (v4, 2026-07, onport, admin, tracker), and serves them at
// GET /openapi/{face}.json.
//
// The documents are JSON files under documents/, embedded in the binary;
// docs/openapi/ holds identical copies for readers of the repository, kept
// identical by TestDocsCopies (refresh with -update). Face tests keep the
// documents true: package openapitest validates every request and response
// they make against the face's document.
package openapi
