// AfterShip's legacy SDK (aftership@7.0.5) against a live Waybill.
// Run by compat_test.go, which starts Waybill and sets WAYBILL_URL and
// WAYBILL_KEY.
const test = require('node:test');
const assert = require('node:assert/strict');
const { AfterShip } = require('aftership');

const client = new AfterShip(process.env.WAYBILL_KEY, { endpoint: process.env.WAYBILL_URL + '/v4' });

test('v4 SDK: tracking lifecycle', async () => {
  const created = await client.tracking.createTracking({
    tracking: { slug: 'ups', tracking_number: '1Z999AA10123456784', title: 'SDK v4', emails: ['ann@example.com'] },
  });
  assert.equal(created.tracking.tracking_number, '1Z999AA10123456784');
  assert.equal(created.tracking.tag, 'Pending');
  const id = created.tracking.id;

  const byId = await client.tracking.getTracking({ id });
  assert.equal(byId.tracking.title, 'SDK v4');
  const bySlug = await client.tracking.getTracking({ slug: 'ups', tracking_number: '1Z999AA10123456784' });
  assert.equal(bySlug.tracking.id, id);

  const updated = await client.tracking.updateTracking({ id }, { tracking: { title: 'SDK v4 updated' } });
  assert.equal(updated.tracking.title, 'SDK v4 updated');

  const list = await client.tracking.listTrackings({ slug: 'ups', limit: 10 });
  assert.ok(list.count >= 1);
  assert.ok(list.trackings.some((t) => t.id === id));

  const last = await client.last_checkpoint.getLastCheckpoint({ id });
  assert.equal(last.tag, 'Pending');

  const notif = await client.notification.addNotification({ id }, { notification: { emails: ['bob@example.com'] } });
  assert.deepEqual(notif.notification.emails, ['ann@example.com', 'bob@example.com']);

  const completed = await client.tracking.markAsCompleted({ id }, { reason: 'DELIVERED' });
  assert.equal(completed.tracking.tag, 'Delivered');
  const retracked = await client.tracking.retrack({ id });
  assert.equal(retracked.tracking.active, true);

  const deleted = await client.tracking.deleteTracking({ id });
  assert.equal(deleted.tracking.id, id);
  assert.ok(client.rate_limit, 'the SDK read the X-RateLimit-* headers');
});

test('v4 SDK: a duplicate create surfaces as the SDK error for 4003', async () => {
  const params = { tracking: { slug: 'dhl', tracking_number: '1234567890' } };
  await client.tracking.createTracking(params);
  await assert.rejects(client.tracking.createTracking(params), (err) => {
    assert.equal(err.type, 'BadRequest');
    assert.equal(err.code, 4003);
    return true;
  });
});

test('v4 SDK: not found, bad key', async () => {
  await assert.rejects(client.tracking.getTracking({ id: 'ffffffffffffffffffffffffffffffff' }), (err) => {
    assert.equal(err.code, 4004);
    assert.equal(err.type, 'NotFound');
    return true;
  });
  const stranger = new AfterShip('wb_not_a_real_key_at_all', { endpoint: process.env.WAYBILL_URL + '/v4' });
  await assert.rejects(stranger.courier.listCouriers(), (err) => {
    assert.equal(err.code, 401);
    assert.equal(err.type, 'Unauthorized');
    return true;
  });
});

test('v4 SDK: couriers and detection', async () => {
  const active = await client.courier.listCouriers();
  assert.ok(active.total > 0);
  const all = await client.courier.listAllCouriers();
  assert.ok(all.total >= 150);
  const detected = await client.courier.detectCouriers({ tracking: { tracking_number: '1Z999AA10123456784' } });
  assert.equal(detected.couriers[0].slug, 'ups');
  await assert.rejects(client.courier.detectCouriers({ tracking: { tracking_number: 'NOT-A-NUMBER' } }), (err) => {
    assert.equal(err.code, 4012);
    return true;
  });
});
