// AfterShip's current SDK (@aftership/tracking-sdk@17.0.0, API 2026-07)
// against a live Waybill. Run by compat_test.go, which starts Waybill and
// sets WAYBILL_URL and WAYBILL_KEY.
const test = require('node:test');
const assert = require('node:assert/strict');
const { AfterShip } = require('@aftership/tracking-sdk');

const client = new AfterShip({ api_key: process.env.WAYBILL_KEY, domain: process.env.WAYBILL_URL, max_retry: 0 });

test('2026-07 SDK: trackings, couriers, connections and errors', async () => {
  const c = await client.tracking.createTracking({ tracking_number: '1ZDATED0000000001', slug: 'ups', title: 'SDK dated',
    origin_country_region: 'US', destination_country_region: 'GB', destination_postal_code: 'SW1A 1AA',
    customers: [{ name: 'Ann', email: 'ann@example.com' }], order_promised_delivery_date: { promised_delivery_date: '2026-07-09' } });
  assert.equal(c.data.tracking_number, '1ZDATED0000000001');
  assert.equal(c.response_headers['as-api-version'], '2026-07');
  const id = c.data.id;
  const g = await client.tracking.getTrackingById(id, { fields: 'title' });
  assert.equal(g.data.title, 'SDK dated');
  const u = await client.tracking.updateTrackingById(id, { title: 'SDK updated', note: 'n' });
  assert.equal(u.data.title, 'SDK updated');
  const l = await client.tracking.getTrackings({ limit: 10, slug: 'ups' });
  assert.ok(l.data.pagination.total >= 1);
  assert.ok(l.data.trackings.some((t) => t.id === id));
  await assert.rejects(client.tracking.retrackTrackingById(id), (e) => e.code === 'INACTIVE_RETRACK_NOT_ALLOWED' && e.meta_code === 4013);
  const m = await client.tracking.markTrackingCompletedById(id, { reason: 'DELIVERED' });
  assert.equal(m.data.tag, 'Delivered');
  const r = await client.tracking.retrackTrackingById(id);
  assert.equal(r.data.active, true);
  await assert.rejects(client.tracking.createTracking({ tracking_number: '1ZDATED0000000001', slug: 'ups' }), (e) => e.code === 'TRACKING_ALREADY_EXIST');
  await assert.rejects(client.tracking.getTrackings({ cursor: 'zzz' }), (e) => e.status_code === 400 && e.meta_code === 4008);
  const cs = await client.courier.getCouriers({ active: true });
  assert.ok(cs.data.total > 5);
  const d = await client.courier.detectCourier({ tracking_number: '1Z999AA10123456784' });
  assert.equal(d.data.couriers[0].slug, 'ups');
  await assert.rejects(client.courier.detectCourier({ tracking_number: 'HELLO' }), (e) => e.code === 'BAD_COURIER');
  // The fake DHL behind WAYBILL_CARRIER_DHL_URL accepts one key; Waybill
  // never shows any part of a stored secret.
  const dhlKey = process.env.WAYBILL_DHL_KEY;
  await assert.rejects(client.courierConnection.postCourierConnections({ courier_slug: 'dhl', credentials: { api_key: 'wrong-key-0000' } }), (e) => e.status_code >= 400 && e.status_code < 500);
  const cc = await client.courierConnection.postCourierConnections({ courier_slug: 'dhl', credentials: { api_key: dhlKey } });
  assert.equal(cc.data.credentials.api_key, '********');
  const cu = await client.courierConnection.putCourierConnectionsById(cc.data.id, { credentials: { api_key: dhlKey } });
  assert.equal(cu.data.credentials.api_key, '********');
  const cg = await client.courierConnection.getCourierConnectionsById(cc.data.id);
  assert.equal(cg.data.courier_slug, 'dhl');
  const cl = await client.courierConnection.getCourierConnections({ courier_slug: 'dhl' });
  assert.equal(cl.data.courier_connections.length, 1);
  await client.courierConnection.deleteCourierConnectionsById(cc.data.id);
  const del = await client.tracking.deleteTrackingById(id);
  assert.equal(del.data.id, id);
  await assert.rejects(client.tracking.getTrackingById(id), (e) => e.code === 'TRACKING_DOES_NOT_EXIST' && e.status_code === 404);
  const bad = new AfterShip({ api_key: 'wb_nope_nope_nope', domain: process.env.WAYBILL_URL, max_retry: 0 });
  await assert.rejects(bad.tracking.getTrackings({}), (e) => e.code === 'API_KEY_INVALID');
});
