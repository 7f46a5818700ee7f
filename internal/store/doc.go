// Package store persists Waybill's data in SQL. One implementation serves
// both engines: SQLite (modernc.org/sqlite, the embedded default) and
// PostgreSQL (pgx through database/sql). Queries use $n placeholders, which
// both accept; the few dialect differences live in dialect.go and in the two
// migration folders.
//
// Every query that touches tenant data takes an organization id: nothing in
// this package reads or writes across organizations.
package store
