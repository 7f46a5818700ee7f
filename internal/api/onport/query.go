package onport

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
)

// Onport's query language for listings, parsed here and nowhere else:
// include[n][model]=M side-loads M (in the order of n), where[field]=v
// filters (where[field]=a,b or where[field][]=v for several values), and
// limit (default 50, at most 250) and offset, or page (from 1) with limit,
// page the result. Results are ordered by id, oldest first.
const (
	defaultLimit = 50
	maxLimit     = 250
)

// resource is one /api/<name>.json listing: how its where fields fill the
// read API's typed filter, and what it can include.
type resource struct {
	name     string
	filter   func(where map[string][]string) (lister, error)
	includes map[string]include
}

// lister reads a page of a listing whose filter is already parsed.
type lister func(ctx context.Context, c Reader, org int64, p commerce.Page) ([]record, error)

// setter parses the values of one where field into a filter of type F.
type setter[F any] func(f *F, vals []string) error

var errNotNumber = errors.New("not a number")

// ids is a where field on an id column: every value must be an integer.
func ids[F any](field func(*F) *[]int64) setter[F] {
	return func(f *F, vals []string) error {
		dst := field(f)
		for _, v := range vals {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errNotNumber
			}
			*dst = append(*dst, n)
		}
		return nil
	}
}

// since is a where field on a time column with $gte: one ISO 8601 date
// or date and time.
func since[F any](field func(*F) *time.Time) setter[F] {
	return func(f *F, vals []string) error {
		if len(vals) != 1 {
			return errNotNumber
		}
		t, err := time.Parse(time.RFC3339, vals[0])
		if err != nil {
			if t, err = time.Parse("2006-01-02", vals[0]); err != nil {
				return errNotNumber
			}
		}
		*field(f) = t
		return nil
	}
}

// texts is a where field on a text column.
func texts[F any](field func(*F) *[]string) setter[F] {
	return func(f *F, vals []string) error {
		dst := field(f)
		*dst = append(*dst, vals...)
		return nil
	}
}

// listing makes the resource name whose values of type T come from list,
// filtered by F.
func listing[F, T any](name string, list func(Reader, context.Context, int64, F, commerce.Page) ([]T, error),
	id func(T) int64, render func(T) map[string]any, where map[string]setter[F], includes map[string]include) resource {
	filter := func(w map[string][]string) (lister, error) {
		var f F
		fields := make([]string, 0, len(w))
		for field := range w {
			fields = append(fields, field)
		}
		sort.Strings(fields)
		for _, field := range fields {
			set, ok := where[field]
			if !ok {
				return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "%s cannot be filtered on %q", name, field)
			}
			if err := set(&f, w[field]); err != nil {
				if name, ok := strings.CutSuffix(field, "$gte"); ok {
					return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "where[%s][$gte] must be one date (2026-11-01) or date and time (RFC 3339)", name)
				}
				return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "where[%s] must be a number", field)
			}
		}
		return func(ctx context.Context, c Reader, org int64, p commerce.Page) ([]record, error) {
			vs, err := list(c, ctx, org, f, p)
			if err != nil {
				return nil, err
			}
			out := make([]record, len(vs))
			for i, v := range vs {
				out[i] = record{id: id(v), ref: v, m: render(v)}
			}
			return out, nil
		}, nil
	}
	return resource{name: name, filter: filter, includes: includes}
}

// listQuery is a parsed listing request.
type listQuery struct {
	list     lister
	includes []string
	page     commerce.Page
}

var (
	includeKey = regexp.MustCompile(`^include\[(\d+)\]\[model\]$`)
	whereKey   = regexp.MustCompile(`^where\[([A-Za-z_]+)\](\[\]|\[\$(?:gte)\])?$`)
)

// parseQuery reads the includes, where filters and page of a listing.
func parseQuery(v url.Values, r resource) (listQuery, error) {
	var q listQuery
	type inc struct {
		n     int
		model string
	}
	var incs []inc
	where := map[string][]string{}
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
			m := whereKey.FindStringSubmatch(key)
			field := m[1]
			if m[2] == "[$gte]" {
				field += "$gte" // an operator: its own where field
			}
			for _, val := range vals {
				// Compared with stored text: what no stored value can be
				// (a NUL, which PostgreSQL refuses, another control
				// character, invalid UTF-8) is refused on both engines.
				if !waybill.CleanLine(val, 4096) {
					return q, waybill.Invalid(waybill.ReasonFieldInvalid, "where[%s] is invalid", field)
				}
				where[field] = append(where[field], strings.Split(val, ",")...)
			}
		}
	}
	slices.SortStableFunc(incs, func(a, b inc) int { return a.n - b.n })
	for _, i := range incs {
		q.includes = append(q.includes, i.model)
	}
	var err error
	if q.list, err = r.filter(where); err != nil {
		return q, err
	}

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

// byID is the query of one record of a resource, with includes.
func byID(r resource, id int64, includes ...string) (listQuery, error) {
	list, err := r.filter(map[string][]string{"id": {strconv.FormatInt(id, 10)}})
	return listQuery{list: list, includes: includes, page: commerce.Page{Limit: 1}}, err
}
