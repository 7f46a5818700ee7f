package admin

import (
	"context"
	"net/http"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Checkpoints is what the push API needs of the tracking core.
type Checkpoints interface {
	PushCheckpoints(ctx context.Context, orgID int64, in tracking.PushInput) (tracking.PushResult, error)
}

// checkpointRequest is one pushed checkpoint.
type checkpointRequest struct {
	CheckpointTime string    `json:"checkpoint_time"`
	Message        string    `json:"message"`
	City           string    `json:"city"`
	State          string    `json:"state"`
	Zip            string    `json:"zip"`
	CountryRegion  string    `json:"country_region"`
	CountryISO3    string    `json:"country_iso3"`
	CountryName    string    `json:"country_name"`
	Location       string    `json:"location"`
	Coordinates    []float64 `json:"coordinates"`
	RawTag         string    `json:"raw_tag"`
	Tag            string    `json:"tag"`
	Subtag         string    `json:"subtag"`
}

func (a *API) pushCheckpoints(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var body struct {
		Slug           string              `json:"slug"`
		TrackingNumber string              `json:"tracking_number"`
		Checkpoints    []checkpointRequest `json:"checkpoints"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	in := tracking.PushInput{Slug: body.Slug, TrackingNumber: body.TrackingNumber}
	for i, c := range body.Checkpoints {
		iso3 := strings.ToUpper(strings.TrimSpace(c.CountryISO3))
		if iso3 == "" && c.CountryRegion != "" {
			var ok bool
			if iso3, ok = waybill.CountryISO3(c.CountryRegion); !ok {
				return waybill.Invalid(waybill.ReasonFieldInvalid, "checkpoints[%d].country_region is not an ISO 3166-1 alpha-2 code.", i)
			}
		}
		in.Checkpoints = append(in.Checkpoints, waybill.Checkpoint{
			CheckpointTime: c.CheckpointTime, Message: c.Message, City: c.City, State: c.State, Zip: c.Zip,
			CountryISO3: iso3, CountryName: c.CountryName, Location: c.Location, Coordinates: c.Coordinates,
			RawTag: c.RawTag, Tag: waybill.Tag(c.Tag), Subtag: c.Subtag,
		})
	}
	res, err := a.Checkpoints.PushCheckpoints(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	if res.Events == nil {
		res.Events = []string{}
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, map[string]any{
		"tracking_id": res.Tracking.ID, "slug": res.Tracking.Slug, "tracking_number": res.Tracking.TrackingNumber,
		"tag": res.Tracking.Tag, "subtag": res.Tracking.Subtag, "created": res.Created,
		"checkpoints_added": res.Added, "checkpoints_ignored": len(in.Checkpoints) - res.Added, "events": res.Events,
	})
}
