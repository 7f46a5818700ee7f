package onport

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Pagination: limit (default 50, at most 250) and offset, or page (from 1)
// with limit. Results are ordered by id, oldest first.
const (
	defaultLimit = 50
	maxLimit     = 250
)

// listQuery is a parsed listing request.
type listQuery struct {
	conds    []store.Cond
	includes []string
	page     store.Page
}

var (
	includeKey = regexp.MustCompile(`^include\[(\d+)\]\[model\]$`)
	whereKey   = regexp.MustCompile(`^where\[([A-Za-z_]+)\](\[\])?$`)
)

// parseQuery reads include[n][model]=M, where[field]=v (where[field][]=v
// for several values) and the page of a listing.
func parseQuery(v url.Values, r resource) (listQuery, error) {
	var q listQuery
	type inc struct {
		n     int
		model string
	}
	var incs []inc
	for key, vals := range v {
		switch {
		case includeKey.MatchString(key):
			n, _ := strconv.Atoi(includeKey.FindStringSubmatch(key)[1])
			for _, m := range vals {
				if _, ok := r.includes[m]; !ok {
					return q, waybill.Invalid(waybill.ReasonFieldInvalid, "%s cannot include %q", r.name, m)
				}
				incs = append(incs, inc{n, m})
			}
		case whereKey.MatchString(key):
			field := whereKey.FindStringSubmatch(key)[1]
			col, ok := r.where[field]
			if !ok {
				return q, waybill.Invalid(waybill.ReasonFieldInvalid, "%s cannot be filtered on %q", r.name, field)
			}
			var values []any
			for _, val := range vals {
				for _, part := range strings.Split(val, ",") {
					if strings.HasSuffix(col, "id") && col != "external_id" && col != "tracking_id" {
						n, err := strconv.ParseInt(part, 10, 64)
						if err != nil {
							return q, waybill.Invalid(waybill.ReasonFieldInvalid, "where[%s] must be a number", field)
						}
						values = append(values, n)
					} else {
						values = append(values, part)
					}
				}
			}
			q.conds = append(q.conds, store.Cond{Column: col, Values: values})
		}
	}
	sort.Slice(incs, func(i, j int) bool { return incs[i].n < incs[j].n })
	for _, i := range incs {
		q.includes = append(q.includes, i.model)
	}
	sort.Slice(q.conds, func(i, j int) bool { return q.conds[i].Column < q.conds[j].Column })

	num := func(name string, def, lo, hi int) (int, error) {
		s := v.Get(name)
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return 0, waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be a number from %d to %d", name, lo, hi)
		}
		return n, nil
	}
	var err error
	if q.page.Limit, err = num("limit", defaultLimit, 1, maxLimit); err != nil {
		return q, err
	}
	if q.page.Offset, err = num("offset", 0, 0, 1<<30); err != nil {
		return q, err
	}
	page, err := num("page", 0, 1, 1<<20)
	if err != nil {
		return q, err
	}
	if page > 0 {
		q.page.Offset = (page - 1) * q.page.Limit
	}
	return q, nil
}
