package store

// PageQueriesForTest returns the statements a page view or portal lookup
// runs on the engine, by name, for the query-plan test.
func PageQueriesForTest(engine string) map[string]string {
	return map[string]string{"tracking page": trackingPageQuery(false), "order page": trackingPageQuery(true),
		"order lookup": orderTrackingsQuery(engine), "number lookup": numberTrackingsQuery}
}
