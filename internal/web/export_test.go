package web

// CatalogForTest exposes the catalogue to the external tests.
func CatalogForTest() map[string]map[string]string {
	out := map[string]map[string]string{}
	for lang, texts := range catalog {
		out[lang] = texts
	}
	return out
}
