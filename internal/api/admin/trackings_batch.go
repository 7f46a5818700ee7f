package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/httpserver"
	"github.com/waybillhq/waybill/internal/tracking"
)

// TrackingImports is what POST /v1/trackings/batch needs of the tracking
// core.
type TrackingImports interface {
	CreateBatch(ctx context.Context, orgID int64, rows []waybill.CreateTrackingInput) ([]tracking.BatchResult, error)
}

// DefaultBatchMaxBodyBytes bounds a batch's body when API.BatchMaxBodyBytes
// is zero: 8 KiB a row on average for tracking.MaxBatch rows.
const DefaultBatchMaxBodyBytes = 8 << 20

// batchRow is one row of a batch: the v4 create's field names, flat.
type batchRow struct {
	Slug                       string            `json:"slug"`
	TrackingNumber             string            `json:"tracking_number"`
	Title                      *string           `json:"title"`
	OrderID                    *string           `json:"order_id"`
	OrderIDPath                *string           `json:"order_id_path"`
	OrderNumber                *string           `json:"order_number"`
	OrderDate                  *string           `json:"order_date"`
	CustomerName               *string           `json:"customer_name"`
	Emails                     *[]string         `json:"emails"`
	Smses                      *[]string         `json:"smses"`
	Language                   *string           `json:"language"`
	Note                       *string           `json:"note"`
	OriginCountryISO3          *string           `json:"origin_country_iso3"`
	DestinationCountryISO3     *string           `json:"destination_country_iso3"`
	CustomFields               map[string]string `json:"custom_fields"`
	TrackingPostalCode         string            `json:"tracking_postal_code"`
	TrackingShipDate           string            `json:"tracking_ship_date"`
	TrackingAccountNumber      string            `json:"tracking_account_number"`
	TrackingKey                string            `json:"tracking_key"`
	TrackingOriginCountry      string            `json:"tracking_origin_country"`
	TrackingDestinationCountry string            `json:"tracking_destination_country"`
	TrackingState              string            `json:"tracking_state"`
}

func (b batchRow) input() waybill.CreateTrackingInput {
	in := waybill.CreateTrackingInput{Slug: b.Slug, TrackingNumber: b.TrackingNumber, Source: "import",
		Fields: waybill.TrackingFields{Title: b.Title, OrderID: b.OrderID, OrderIDPath: b.OrderIDPath,
			OrderNumber: b.OrderNumber, OrderDate: b.OrderDate, CustomerName: b.CustomerName, Emails: b.Emails,
			Smses: b.Smses, Language: b.Language, Note: b.Note, OriginCountryISO3: b.OriginCountryISO3,
			DestinationCountryISO3: b.DestinationCountryISO3}}
	if b.CustomFields != nil {
		in.Fields.CustomFields = &b.CustomFields
	}
	cf := waybill.CourierFields{PostalCode: b.TrackingPostalCode, ShipDate: b.TrackingShipDate,
		AccountNumber: b.TrackingAccountNumber, Key: b.TrackingKey, OriginCountry: b.TrackingOriginCountry,
		DestinationCountry: b.TrackingDestinationCountry, State: b.TrackingState}
	if cf != (waybill.CourierFields{}) {
		in.Fields.CourierFields = &cf
	}
	return in
}

// batchResultJSON is what became of one row.
type batchResultJSON struct {
	Index          int          `json:"index"`
	Status         string       `json:"status"` // created, exists or rejected
	ID             string       `json:"id,omitempty"`
	Slug           string       `json:"slug,omitempty"`
	TrackingNumber string       `json:"tracking_number,omitempty"`
	Error          *errorDetail `json:"error,omitempty"`
}

// createBatch serves POST /v1/trackings/batch: {"trackings": [row, ...]},
// at most tracking.MaxBatch rows. It answers 200 with a result per row in
// the rows' order and the counts of each status; a row the core refuses is
// "rejected" with its error, and the others are still created. A row that
// is not a JSON object of the right field types is rejected alone too.
func (a *API) createBatch(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	limit := a.BatchMaxBodyBytes
	if limit <= 0 {
		limit = DefaultBatchMaxBodyBytes
	}
	data, err := httpserver.ReadBody(w, r, limit)
	if err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid UTF-8.")
	}
	var body struct {
		Trackings []json.RawMessage `json:"trackings"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "trackings must be an array of objects.")
		}
		return waybill.Invalid(waybill.ReasonInvalidJSON, "The request body is not valid JSON.")
	}
	if len(body.Trackings) > tracking.MaxBatch {
		return waybill.Errorf(waybill.ETOOLARGE, "A batch takes at most %d trackings; this one has %d.", tracking.MaxBatch, len(body.Trackings))
	}

	results := make([]batchResultJSON, len(body.Trackings))
	var rows []waybill.CreateTrackingInput
	var rowIndex []int // rows[k] is body.Trackings[rowIndex[k]]
	for i, raw := range body.Trackings {
		results[i].Index = i
		var row batchRow
		if err := decodeRow(raw, &row); err != nil {
			results[i].Status, results[i].Error = string(tracking.BatchRejected), detailOf(err)
			continue
		}
		rows = append(rows, row.input())
		rowIndex = append(rowIndex, i)
	}
	if len(body.Trackings) == 0 {
		return waybill.Invalid(waybill.ReasonFieldRequired, "trackings is required: send at least one row.")
	}
	if len(rows) > 0 {
		out, err := a.Imports.CreateBatch(r.Context(), org.ID, rows)
		if err != nil {
			return err
		}
		for k, res := range out {
			j := &results[rowIndex[k]]
			j.Status = string(res.Outcome)
			if res.Outcome == tracking.BatchRejected {
				j.Error = detailOf(res.Err)
				continue
			}
			j.ID, j.Slug, j.TrackingNumber = res.Tracking.ID, res.Tracking.Slug, res.Tracking.TrackingNumber
		}
	}
	counts := map[string]int{string(tracking.BatchCreated): 0, string(tracking.BatchExists): 0, string(tracking.BatchRejected): 0}
	for _, res := range results {
		counts[res.Status]++
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"created": counts[string(tracking.BatchCreated)], "exists": counts[string(tracking.BatchExists)],
		"rejected": counts[string(tracking.BatchRejected)], "results": results,
	})
}

// decodeRow decodes one row, refusing what is not an object of the row's
// field types.
func decodeRow(raw json.RawMessage, row *batchRow) error {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "The row is not a JSON object.")
	}
	if err := json.Unmarshal(raw, row); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "%s has the wrong type.", typeErr.Field)
		}
		return waybill.Invalid(waybill.ReasonFieldInvalid, "The row is not a valid JSON object.")
	}
	return nil
}

// detailOf is a rejected row's error, as the envelope would show it.
func detailOf(err error) *errorDetail {
	return &errorDetail{Code: waybill.ErrorCode(err), Reason: waybill.ErrorReason(err), Message: waybill.ErrorMessage(err)}
}
