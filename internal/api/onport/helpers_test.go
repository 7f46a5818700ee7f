package onport_test

import "github.com/waybillhq/waybill/internal/tracking"

func trackingInput(number, slug string) tracking.CreateInput {
	return tracking.CreateInput{TrackingNumber: number, Slug: slug}
}

func ptr[T any](v T) *T { return &v }
