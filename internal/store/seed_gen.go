package store

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
)

// seedGen makes the synthetic data of a seed. Everything comes from one
// seeded generator, so a seed with the same options makes the same data
// (but for public ids and tokens, which also come from it: same too).
type seedGen struct {
	rng  *rand.Rand
	now  time.Time
	span time.Duration // trackings are created over [now-span, now]
}

// seedCourier is a courier with a number format, weighted by how often
// merchants ship with it.
type seedCourier struct {
	slug   string
	prefix string
	digits int
	weight int
	origin string
}

var seedCouriers = []seedCourier{
	{"ups", "1Z", 16, 22, "USA"},
	{"usps", "9400", 18, 20, "USA"},
	{"fedex", "", 12, 16, "USA"},
	{"dhl", "JD", 18, 10, "DEU"},
	{"royal-mail", "RM", 9, 8, "GBR"},
	{"dpd", "", 14, 7, "DEU"},
	{"gls", "", 11, 5, "DEU"},
	{"canada-post", "", 16, 5, "CAN"},
	{"australia-post", "", 12, 4, "AUS"},
	{"postnl-3s", "3S", 13, 3, "NLD"},
}

var seedCourierWeight = func() int {
	n := 0
	for _, c := range seedCouriers {
		n += c.weight
	}
	return n
}()

var seedPlaces = []struct{ city, state, zip, iso3 string }{
	{"Louisville", "KY", "40209", "USA"}, {"Memphis", "TN", "38118", "USA"}, {"Chicago", "IL", "60638", "USA"},
	{"Los Angeles", "CA", "90021", "USA"}, {"Newark", "NJ", "07114", "USA"}, {"Dallas", "TX", "75261", "USA"},
	{"Leipzig", "SN", "04435", "DEU"}, {"London", "", "E1 6AN", "GBR"}, {"Toronto", "ON", "M5V 2T6", "CAN"},
	{"Sydney", "NSW", "2000", "AUS"}, {"Amsterdam", "NH", "1011", "NLD"}, {"Paris", "", "75001", "FRA"},
}

var seedProducts = []string{"Running shoes", "Wool sweater", "Coffee grinder", "Phone case", "Desk lamp",
	"Yoga mat", "Headphones", "Backpack", "Water bottle", "Board game", "Sunglasses", "Rain jacket"}

var seedNames = []string{"Alex Kim", "Maria Garcia", "Sam Taylor", "Priya Patel", "Jonas Weber", "Emma Brown",
	"Liam Murphy", "Yuki Tanaka", "Chloe Martin", "Noah Wilson"}

// seedStep is one stage of a parcel's journey.
type seedStep struct {
	tag     waybill.Tag
	subtag  string
	message string
}

var seedJourney = []seedStep{
	{waybill.TagInfoReceived, "InfoReceived_001", "Shipment information received"},
	{waybill.TagInTransit, "InTransit_002", "Picked up by the carrier"},
	{waybill.TagInTransit, "InTransit_001", "Departed facility"},
	{waybill.TagInTransit, "InTransit_001", "Arrived at sort facility"},
	{waybill.TagOutForDelivery, "OutForDelivery_001", "Out for delivery"},
	{waybill.TagDelivered, "Delivered_001", "Delivered, left at front door"},
}

func (g *seedGen) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return hex.EncodeToString(b)
}

func (g *seedGen) pick(n int) int { return g.rng.IntN(n) }

func (g *seedGen) courier() seedCourier {
	w := g.rng.IntN(seedCourierWeight)
	for _, c := range seedCouriers {
		if w < c.weight {
			return c
		}
		w -= c.weight
	}
	return seedCouriers[0]
}

// number returns a tracking number unique to i within the courier.
func (c seedCourier) number(i int, salt uint64) string {
	v := (uint64(i)*2654435761 + salt) % 1_000_000_000_000_000_000
	s := fmt.Sprintf("%0*d", c.digits, v)
	if len(s) > c.digits {
		s = s[len(s)-c.digits:]
	}
	// The low digits carry i itself, so two trackings never share a number.
	tail := fmt.Sprintf("%d", i)
	if len(tail) < len(s) {
		s = s[:len(s)-len(tail)] + tail
	}
	return c.prefix + s
}

// tracking returns the i-th of n trackings of the seed, for the
// organization. Trackings are created in order over the
// span; the older a tracking, the further along its journey.
func (g *seedGen) tracking(i, n int, orgID int64, orgIndex int) waybill.Tracking {
	c := g.courier()
	created := g.now.Add(-g.span + time.Duration(float64(g.span)*float64(i)/float64(n)) + time.Duration(g.rng.Int64N(int64(time.Minute))))
	if created.After(g.now) {
		created = g.now
	}
	created = created.UTC().Truncate(time.Microsecond)
	age := g.now.Sub(created)
	// How far the parcel went: about a day per step, then delivered; a few
	// stall (Exception, AttemptFail, pickup) or expire.
	steps := min(int(age/(20*time.Hour))+1, len(seedJourney))
	if age > 3*time.Hour && steps == 1 && g.rng.IntN(3) == 0 {
		steps = 2
	}
	roll := g.rng.IntN(100)
	var stall *seedStep
	switch {
	case roll < 3:
		stall = &seedStep{waybill.TagException, "Exception_011", "Delivery exception: address issue"}
	case roll < 5:
		stall = &seedStep{waybill.TagAttemptFail, "AttemptFail_001", "Delivery attempted, no one home"}
	case roll < 7 && steps >= 4:
		stall = &seedStep{waybill.TagAvailableForPickup, "AvailableForPickup_001", "Available for pickup at access point"}
	}
	t := waybill.Tracking{
		ID:             g.hex(16),
		OrgID:          orgID,
		PageToken:      strings.ToLower(g.hex(16)),
		CreatedAt:      created,
		TrackingNumber: c.number(i, uint64(orgIndex)*7919),
		Slug:           c.slug,
		Source:         "api",
		Language:       "en",
	}
	place := seedPlaces[g.pick(len(seedPlaces))]
	t.OriginCountryISO3 = c.origin
	t.DestinationCountryISO3 = place.iso3
	t.DestinationCity, t.DestinationState, t.DestinationPostalCode = place.city, place.state, place.zip
	if g.rng.IntN(10) < 8 {
		order := 1000 + i/max(1, n/100000+1)
		t.OrderID = fmt.Sprintf("ORD-%d-%07d", orgIndex, i)
		t.OrderNumber = fmt.Sprintf("#%d", order)
		t.OrderDate = created.Add(-6 * time.Hour).Format(time.RFC3339)
		t.Title = seedProducts[g.pick(len(seedProducts))] + " " + t.OrderNumber
		t.CustomerName = seedNames[g.pick(len(seedNames))]
		t.Emails = []string{fmt.Sprintf("customer%d@example.com", i)}
	} else {
		t.Title = t.TrackingNumber
	}
	at := created
	for s := range steps {
		step := seedJourney[s]
		if stall != nil && s == steps-1 && step.tag != waybill.TagInfoReceived {
			step = *stall
		}
		at = at.Add(time.Duration(2+g.rng.IntN(18)) * time.Hour)
		if at.After(g.now) {
			at = g.now.Add(-time.Duration(g.rng.IntN(60)) * time.Minute)
		}
		at = at.Truncate(time.Second)
		p := seedPlaces[g.pick(len(seedPlaces))]
		if s == 0 {
			p = seedPlaces[0]
		}
		if s == steps-1 {
			p = place
		}
		t.Checkpoints = append(t.Checkpoints, waybill.Checkpoint{
			Slug: c.slug, CreatedAt: at, CheckpointTime: at.Format(time.RFC3339),
			City: p.city, State: p.state, Zip: p.zip, CountryISO3: p.iso3,
			Location: p.city + ", " + p.iso3, Message: step.message, Tag: step.tag, Subtag: step.subtag,
		})
		t.Tag, t.Subtag = step.tag, step.subtag
	}
	t.LastUpdatedAt = at
	t.UpdatedAt = at
	if t.UpdatedAt.Before(created) {
		t.UpdatedAt = created
	}
	// A parcel with no news for waybill.DefaultExpireAfter has expired:
	// the server's hourly sweep (tracking.Service.ExpireStale) would have
	// marked it so. Half of them used to be left active, and every server
	// started on the seed then expired 500 of the 28,000 at a million
	// (the sweep runs at start), each with an event and a webhook attempt,
	// beside whatever was being measured. The draw is kept so that the
	// rest of the seed's data stays the same for the same --seed.
	if !t.Tag.Terminal() && age > 30*24*time.Hour {
		_ = g.rng.IntN(2)
	}
	if !t.Tag.Terminal() && g.now.Sub(t.LastUpdatedAt) > waybill.DefaultExpireAfter {
		t.Tag, t.Subtag = waybill.TagExpired, "Expired_001"
	}
	t.Active = !t.Tag.Terminal()
	if t.Tag == waybill.TagDelivered {
		d := int(at.Sub(created).Hours()/24) + 1
		t.DeliveryTime = &d
		t.SignedBy = "Front door"
	}
	if t.Active {
		// The next poll is due within the next six hours; about one in a
		// thousand is already overdue.
		if g.rng.IntN(1000) == 0 {
			t.NextPollAt = g.now.Add(-time.Duration(g.rng.IntN(600)) * time.Second)
		} else {
			t.NextPollAt = g.now.Add(time.Duration(1+g.rng.Int64N(int64(6*time.Hour/time.Second))) * time.Second)
		}
		t.NextPollAt = t.NextPollAt.UTC().Truncate(time.Microsecond)
	}
	t.TrackedCount = len(t.Checkpoints)
	return t
}
