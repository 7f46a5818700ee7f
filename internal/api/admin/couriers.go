package admin

import (
	"context"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// Couriers is what /v1/couriers needs of the tracking core: the
// organization's activated couriers (those detection considers) and a way
// to change them.
type Couriers interface {
	Activated(ctx context.Context, orgID int64) ([]courier.Courier, error)
	ChooseCouriers(ctx context.Context, orgID int64, activate, deactivate []string) ([]courier.Courier, error)
}

func (a *API) registerCouriers(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/couriers", a.handle(a.listCouriers))
	mux.HandleFunc("PUT /v1/couriers", a.handle(a.chooseCouriers))
}

// couriersJSON is the answer of GET and PUT /v1/couriers.
type couriersJSON struct {
	Total    int           `json:"total"`
	All      bool          `json:"all"` // every courier Waybill knows is activated
	Couriers []courierJSON `json:"couriers"`
}

type courierJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func renderCouriers(cs []courier.Courier) couriersJSON {
	out := couriersJSON{Total: len(cs), All: len(cs) == len(courier.All()), Couriers: make([]courierJSON, len(cs))}
	for i, c := range cs {
		out.Couriers[i] = courierJSON{Slug: c.Slug, Name: c.Name}
	}
	return out
}

// listCouriers serves GET /v1/couriers: the activated couriers, by slug.
func (a *API) listCouriers(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	cs, err := a.Couriers.Activated(r.Context(), org.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderCouriers(cs))
}

// chooseCouriersBody is the body of PUT /v1/couriers: slugs to activate,
// then slugs to deactivate. {"activate": ["all"]} activates every courier.
type chooseCouriersBody struct {
	Activate   []string `json:"activate"`
	Deactivate []string `json:"deactivate"`
}

// chooseCouriers serves PUT /v1/couriers.
func (a *API) chooseCouriers(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var b chooseCouriersBody
	if err := a.decode(w, r, &b); err != nil {
		return err
	}
	if len(b.Activate)+len(b.Deactivate) == 0 {
		return waybill.Invalid(waybill.ReasonFieldInvalid, `Give "activate" or "deactivate", a list of courier slugs.`)
	}
	activate, deactivate := normalizeSlugs(b.Activate), normalizeSlugs(b.Deactivate)
	if len(activate) == 1 && activate[0] == "all" {
		activate = allSlugs()
	}
	cs, err := a.Couriers.ChooseCouriers(r.Context(), org.ID, activate, deactivate)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderCouriers(cs))
}

func normalizeSlugs(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

func allSlugs() []string {
	all := courier.All()
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.Slug
	}
	return out
}
