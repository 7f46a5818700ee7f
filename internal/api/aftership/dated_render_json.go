package aftership

import "strconv"

// appendTrackingDated appends the 2026-07 tracking object d: the bytes
// json.Marshal(d) gives, field for field, without reflection
// (TestAppendTrackingDated compares the two over many trackings). ok is
// false when d holds a number JSON cannot carry (NaN or an infinity), on
// which json.Marshal fails.
func appendTrackingDated(b []byte, d *trackingDated) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, d.ID)
	b = append(b, `,"legacy_id":`...)
	b = appendJSONString(b, d.LegacyID)
	b = append(b, `,"created_at":`...)
	b = appendJSONString(b, d.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONString(b, d.UpdatedAt)
	b = append(b, `,"tracking_number":`...)
	b = appendJSONString(b, d.TrackingNumber)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, d.Slug)
	b = append(b, `,"active":`...)
	b = appendBool(b, d.Active)
	b = append(b, `,"custom_fields":`...)
	b = appendStringMap(b, d.CustomFields)
	b = append(b, `,"transit_time":`...)
	b = appendIntPtr(b, d.TransitTime)
	b = append(b, `,"origin_country_region":`...)
	b = appendStringPtr(b, d.OriginCountryRegion)
	b = append(b, `,"origin_state":`...)
	b = appendStringPtr(b, d.OriginState)
	b = append(b, `,"origin_city":`...)
	b = appendStringPtr(b, d.OriginCity)
	b = append(b, `,"origin_postal_code":`...)
	b = appendStringPtr(b, d.OriginPostalCode)
	b = append(b, `,"origin_raw_location":`...)
	b = appendStringPtr(b, d.OriginRawLocation)
	b = append(b, `,"destination_country_region":`...)
	b = appendStringPtr(b, d.DestinationCountryRegion)
	b = append(b, `,"destination_state":`...)
	b = appendStringPtr(b, d.DestinationState)
	b = append(b, `,"destination_city":`...)
	b = appendStringPtr(b, d.DestinationCity)
	b = append(b, `,"destination_postal_code":`...)
	b = appendStringPtr(b, d.DestinationPostalCode)
	b = append(b, `,"destination_raw_location":`...)
	b = appendStringPtr(b, d.DestinationRawLocation)
	b = append(b, `,"courier_destination_country_region":`...)
	b = appendStringPtr(b, d.CourierDestinationCountryRegion)
	b = append(b, `,"courier_estimated_delivery_date":`...)
	if r := d.CourierEstimatedDeliveryDate; r == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"estimated_delivery_date":`...)
		b = appendStringPtr(b, r.EstimatedDeliveryDate)
		b = append(b, `,"estimated_delivery_date_min":`...)
		b = appendStringPtr(b, r.EstimatedDeliveryDateMin)
		b = append(b, `,"estimated_delivery_date_max":`...)
		b = appendStringPtr(b, r.EstimatedDeliveryDateMax)
		b = append(b, '}')
	}
	b = append(b, `,"note":`...)
	b = appendStringPtr(b, d.Note)
	b = append(b, `,"order_id":`...)
	b = appendStringPtr(b, d.OrderID)
	b = append(b, `,"order_id_path":`...)
	b = appendStringPtr(b, d.OrderIDPath)
	b = append(b, `,"order_date":`...)
	b = appendStringPtr(b, d.OrderDate)
	b = append(b, `,"shipment_package_count":`...)
	b = appendIntPtr(b, d.ShipmentPackageCount)
	b = append(b, `,"shipment_pickup_date":`...)
	b = appendStringPtr(b, d.ShipmentPickupDate)
	b = append(b, `,"shipment_delivery_date":`...)
	b = appendStringPtr(b, d.ShipmentDeliveryDate)
	b = append(b, `,"shipment_type":`...)
	b = appendStringPtr(b, d.ShipmentType)
	b = append(b, `,"shipment_weight":`...)
	if w := d.ShipmentWeight; w == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"unit":`...)
		b = appendStringPtr(b, w.Unit)
		b = append(b, `,"value":`...)
		if b, ok = appendFloat(b, w.Value); !ok {
			return b, false
		}
		b = append(b, '}')
	}
	b = append(b, `,"shipment_dimensions":`...)
	b = appendEmptyObject(b, d.ShipmentDimensions)
	b = append(b, `,"signed_by":`...)
	b = appendStringPtr(b, d.SignedBy)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, d.Source)
	b = append(b, `,"tag":`...)
	b = appendJSONString(b, d.Tag)
	b = append(b, `,"subtag":`...)
	b = appendJSONString(b, d.Subtag)
	b = append(b, `,"subtag_message":`...)
	b = appendJSONString(b, d.SubtagMessage)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, d.Title)
	b = append(b, `,"tracked_count":`...)
	b = strconv.AppendInt(b, int64(d.TrackedCount), 10)
	b = append(b, `,"language":`...)
	b = appendStringPtr(b, d.Language)
	b = append(b, `,"unique_token":`...)
	b = appendJSONString(b, d.UniqueToken)
	b = append(b, `,"checkpoints":`...)
	if d.Checkpoints == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range d.Checkpoints {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendCheckpointDated(b, &d.Checkpoints[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"subscribed_smses":`...)
	b = appendStringSlice(b, d.SubscribedSmses)
	b = append(b, `,"subscribed_emails":`...)
	b = appendStringSlice(b, d.SubscribedEmails)
	b = append(b, `,"return_to_sender":`...)
	b = appendBool(b, d.ReturnToSender)
	b = append(b, `,"order_promised_delivery_date":`...)
	if p := d.OrderPromisedDeliveryDate; p == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"promised_delivery_date":`...)
		b = appendStringPtr(b, p.PromisedDeliveryDate)
		b = append(b, `,"promised_delivery_date_min":`...)
		b = appendStringPtr(b, p.PromisedDeliveryDateMin)
		b = append(b, `,"promised_delivery_date_max":`...)
		b = appendStringPtr(b, p.PromisedDeliveryDateMax)
		b = append(b, '}')
	}
	b = append(b, `,"delivery_type":`...)
	b = appendStringPtr(b, d.DeliveryType)
	b = append(b, `,"pickup_location":`...)
	b = appendStringPtr(b, d.PickupLocation)
	b = append(b, `,"pickup_note":`...)
	b = appendStringPtr(b, d.PickupNote)
	b = append(b, `,"courier_tracking_link":`...)
	b = appendStringPtr(b, d.CourierTrackingLink)
	b = append(b, `,"first_attempted_at":`...)
	b = appendStringPtr(b, d.FirstAttemptedAt)
	b = append(b, `,"courier_redirect_link":`...)
	b = appendStringPtr(b, d.CourierRedirectLink)
	b = append(b, `,"tracking_account_number":`...)
	b = appendStringPtr(b, d.TrackingAccountNumber)
	b = append(b, `,"tracking_key":`...)
	b = appendStringPtr(b, d.TrackingKey)
	b = append(b, `,"tracking_ship_date":`...)
	b = appendStringPtr(b, d.TrackingShipDate)
	b = append(b, `,"on_time_status":`...)
	b = appendStringPtr(b, d.OnTimeStatus)
	b = append(b, `,"on_time_difference":`...)
	b = appendIntPtr(b, d.OnTimeDifference)
	b = append(b, `,"order_tags":`...)
	b = appendStringSlice(b, d.OrderTags)
	b = append(b, `,"aftership_estimated_delivery_date":`...)
	b = appendEmptyObject(b, d.AftershipEstimatedDeliveryDate)
	b = append(b, `,"custom_estimated_delivery_date":`...)
	b = appendEmptyObject(b, d.CustomEstimatedDeliveryDate)
	b = append(b, `,"order_number":`...)
	b = appendStringPtr(b, d.OrderNumber)
	b = append(b, `,"first_estimated_delivery":`...)
	b = appendEstimatedDelivery(b, d.FirstEstimatedDelivery)
	b = append(b, `,"latest_estimated_delivery":`...)
	b = appendEstimatedDelivery(b, d.LatestEstimatedDelivery)
	b = append(b, `,"shipment_tags":`...)
	b = appendStringSlice(b, d.ShipmentTags)
	b = append(b, `,"courier_connection_id":`...)
	b = appendStringPtr(b, d.CourierConnectionID)
	b = append(b, `,"carbon_emissions":`...)
	b = appendEmptyObject(b, d.CarbonEmissions)
	b = append(b, `,"location_id":`...)
	b = appendStringPtr(b, d.LocationID)
	b = append(b, `,"shipping_method":`...)
	b = appendStringPtr(b, d.ShippingMethod)
	b = append(b, `,"failed_delivery_attempts":`...)
	b = appendIntPtr(b, d.FailedDeliveryAttempts)
	b = append(b, `,"signature_requirement":`...)
	b = appendStringPtr(b, d.SignatureRequirement)
	b = append(b, `,"delivery_location_type":`...)
	b = appendStringPtr(b, d.DeliveryLocationType)
	b = append(b, `,"aftership_tracking_url":`...)
	b = appendStringPtr(b, d.AftershipTrackingURL)
	b = append(b, `,"aftership_tracking_order_url":`...)
	b = appendStringPtr(b, d.AftershipTrackingOrderURL)
	b = append(b, `,"first_mile":`...)
	b = appendEmptyObject(b, d.FirstMile)
	b = append(b, `,"last_mile":`...)
	b = appendEmptyObject(b, d.LastMile)
	b = append(b, `,"customers":`...)
	if d.Customers == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, c := range d.Customers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"role":`...)
			b = appendStringPtr(b, c.Role)
			b = append(b, `,"name":`...)
			b = appendStringPtr(b, c.Name)
			b = append(b, `,"phone_number":`...)
			b = appendStringPtr(b, c.PhoneNumber)
			b = append(b, `,"email":`...)
			b = appendStringPtr(b, c.Email)
			b = append(b, `,"language":`...)
			b = appendStringPtr(b, c.Language)
			b = append(b, `,"id":`...)
			b = appendStringPtr(b, c.ID)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"proof_of_delivery":`...)
	if d.ProofOfDelivery == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range d.ProofOfDelivery {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"url":`...)
			b = appendJSONString(b, p.URL)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"multi_piece_info":`...)
	b = appendEmptyObject(b, d.MultiPieceInfo)
	b = append(b, `,"shipment_direction":`...)
	b = appendStringPtr(b, d.ShipmentDirection)
	b = append(b, `,"return_shipment":`...)
	b = appendEmptyObject(b, d.ReturnShipment)
	b = append(b, `,"forward_shipment":`...)
	b = appendEmptyObject(b, d.ForwardShipment)
	return append(b, '}'), true
}

// appendCheckpointDated appends the 2026-07 checkpoint object c: the bytes
// json.Marshal(c) gives. ok is false for a coordinate JSON cannot carry.
func appendCheckpointDated(b []byte, c *checkpointDated) (_ []byte, ok bool) {
	b = append(b, `{"created_at":`...)
	b = appendJSONString(b, c.CreatedAt)
	b = append(b, `,"slug":`...)
	b = appendJSONString(b, c.Slug)
	b = append(b, `,"checkpoint_time":`...)
	b = appendJSONString(b, c.CheckpointTime)
	b = append(b, `,"location":`...)
	b = appendStringPtr(b, c.Location)
	b = append(b, `,"city":`...)
	b = appendStringPtr(b, c.City)
	b = append(b, `,"state":`...)
	b = appendStringPtr(b, c.State)
	b = append(b, `,"postal_code":`...)
	b = appendStringPtr(b, c.PostalCode)
	b = append(b, `,"coordinate":`...)
	if co := c.Coordinate; co == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"latitude":`...)
		if b, ok = appendFloat(b, co.Latitude); !ok {
			return b, false
		}
		b = append(b, `,"longitude":`...)
		if b, ok = appendFloat(b, co.Longitude); !ok {
			return b, false
		}
		b = append(b, '}')
	}
	b = append(b, `,"country_region":`...)
	b = appendStringPtr(b, c.CountryRegion)
	b = append(b, `,"country_region_name":`...)
	b = appendStringPtr(b, c.CountryRegionName)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, c.Message)
	b = append(b, `,"tag":`...)
	b = appendJSONString(b, c.Tag)
	b = append(b, `,"subtag":`...)
	b = appendJSONString(b, c.Subtag)
	b = append(b, `,"subtag_message":`...)
	b = appendJSONString(b, c.SubtagMessage)
	b = append(b, `,"raw_tag":`...)
	b = appendStringPtr(b, c.RawTag)
	b = append(b, `,"events":`...)
	if c.Events == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, e := range c.Events {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"code":`...)
			b = appendJSONString(b, e.Code)
			b = append(b, `,"reason":`...)
			if e.Reason == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, `{"code":`...)
				b = appendJSONString(b, e.Reason.Code)
				b = append(b, '}')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"source":`...)
	b = appendJSONString(b, c.Source)
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, c.Hash)
	return append(b, '}'), true
}

func appendEstimatedDelivery(b []byte, e *estimatedDelivery) []byte {
	if e == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, e.Source)
	b = append(b, `,"datetime":`...)
	b = appendStringPtr(b, e.Datetime)
	b = append(b, `,"datetime_min":`...)
	b = appendStringPtr(b, e.DatetimeMin)
	b = append(b, `,"datetime_max":`...)
	b = appendStringPtr(b, e.DatetimeMax)
	b = append(b, `,"revise_reason":`...)
	b = appendStringPtr(b, e.ReviseReason)
	return append(b, '}')
}

// appendStringPtr appends *s as a JSON string, or null for nil.
func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendIntPtr appends *n, or null for nil.
func appendIntPtr(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

// appendStringSlice appends a list of strings as encoding/json does: nil
// is null (appendStrings renders it as the empty list).
func appendStringSlice(b []byte, s []string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendStrings(b, s)
}

// appendEmptyObject appends a field typed *struct{}: null or {}.
func appendEmptyObject(b []byte, p *struct{}) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return append(b, "{}"...)
}
