package store

// Migrations exposes the embedded migrations to the tests.
var Migrations = migrations
