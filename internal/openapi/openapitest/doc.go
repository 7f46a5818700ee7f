// Package openapitest checks that what a face serves is what its OpenAPI
// document says, for face tests.
//
// A Validator holds the documents of one or more faces. Put it in front of
// the server under test (Handler) or in the client (Transport, Client), and
// every exchange is checked with kin-openapi:
//
//   - An exchange whose path and method no document has must be refused
//     with 404 or 405: a route the server serves must be documented.
//   - The response is always validated: its status must be listed for the
//     operation (or a default), its headers and JSON body must match.
//   - The request is validated too. A request the document rejects must be
//     refused with a 4xx: tests may send malformed requests on purpose (bad
//     JSON, missing keys, fuzz input) without opting out, and still have
//     their error responses checked; a server that accepts what its
//     document rejects, or a document that rejects what the server takes,
//     fails the test.
//
// Violations are reported with t.Errorf, naming the method, the path, the
// status and what was wrong; the exchange itself goes through unchanged.
package openapitest
