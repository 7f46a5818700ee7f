package carrierhttp

import (
	"slices"
	"strings"

	"github.com/waybillhq/waybill/internal/carrier"
)

// GroupByCredentials splits the indices of reqs into calls of at most
// size numbers whose requests have the same credentials, in order of
// first appearance: a batch connector makes one call per group, with
// that group's credentials.
func GroupByCredentials(reqs []carrier.FetchRequest, size int) [][]int {
	size = max(size, 1)
	var groups [][]int
	open := map[string]int{} // credentials → its group still being filled
	for i, r := range reqs {
		fp := fingerprint(r.Credentials)
		g, ok := open[fp]
		if !ok || len(groups[g]) == size {
			groups = append(groups, nil)
			g = len(groups) - 1
			open[fp] = g
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// fingerprint is a map's entries in key order; it stays in memory only.
func fingerprint(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(m[k])
		b.WriteByte(0)
	}
	return b.String()
}
