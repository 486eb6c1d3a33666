import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDurationS } from '../../src/units/duration.js';
import { formatBytes, parseBytes } from '../../src/units/bytes.js';
import { formatBandwidth, parseBandwidthBps, parseLink } from '../../src/units/bandwidth.js';
import { parseTrackBytes } from '../../src/units/track.js';
import { isoFromS, parseTimeRange, parseTimeS } from '../../src/units/time.js';

test('durations', () => {
  assert.equal(parseDurationS('30s'), 30);
  assert.equal(parseDurationS('5m'), 300);
  assert.equal(parseDurationS('1h'), 3600);
  assert.equal(parseDurationS('1h30m'), 5400);
  assert.equal(parseDurationS('2 d'), 172800);
  assert.equal(parseDurationS('90'), 90);
  assert.equal(parseDurationS('250ms'), 0.25);
  assert.throws(() => parseDurationS('5 parsecs'), /not a duration/);
  assert.throws(() => parseDurationS('m5'), /not a duration/);
  assert.equal(formatDuration(300), '5 min');
  assert.equal(formatDuration(5400), '1 h 30 min');
  assert.equal(formatDuration(90061), '1 d 1 h');
  // whole hours and days print without a zero part
  assert.equal(formatDuration(3600), '1 h');
  assert.equal(formatDuration(86400), '1 d');
  assert.equal(formatDuration(3 * 86400 + 59), '3 d');
  // M is ambiguous (minutes? months? mega?): refused; m and min are minutes
  assert.throws(() => parseDurationS('5M', '--resync'), /--resync: "M" is not a duration unit .*"5M"/);
  assert.equal(parseDurationS('5m'), 300);
  assert.equal(parseDurationS('5min'), 300);
  assert.equal(formatDuration(12.34), '12 s');
  assert.equal(formatDuration(Infinity), 'never');
});

test('sizes use IEC for i-units and SI for plain', () => {
  assert.equal(parseBytes('64KiB'), 65536);
  assert.equal(parseBytes('10 GiB'), 10 * 1024 ** 3);
  assert.equal(parseBytes('1.5TB'), 1.5e12);
  assert.equal(parseBytes('512'), 512);
  assert.throws(() => parseBytes('lots'), /not a size/);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(964100096), '919.44 MiB');
  assert.equal(formatBytes(2408565760), '2.24 GiB');
});

test('bandwidths: SI prefixes and named lines', () => {
  assert.equal(parseBandwidthBps('100Mbit'), 100e6);
  assert.equal(parseBandwidthBps('1.5 Gbit/s'), 1.5e9);
  assert.equal(parseBandwidthBps('T1'), 1.544e6);
  assert.equal(parseBandwidthBps('T3'), 44.736e6);
  assert.equal(parseBandwidthBps('OC3'), 155.52e6);
  assert.equal(parseBandwidthBps('oc12'), 622.08e6);
  assert.equal(parseBandwidthBps('1GbE'), 1e9);
  assert.equal(parseBandwidthBps('10GbE'), 10e9);
  assert.throws(() => parseBandwidthBps('fast'), /not a bandwidth/);
  // a bare number is refused with a suggestion, never taken as bit/s
  assert.throws(() => parseBandwidthBps('155', '--path'), /--path needs a unit: "155" \(did you mean 155Mbit\?/);
  assert.throws(() => parseLink('4x155'), /link needs a unit: "155"/);
  assert.equal(parseBandwidthBps('155bit'), 155);
  assert.deepEqual(parseLink('4x155Mbit'), { paths: 4, pathBps: 155e6 });
  assert.deepEqual(parseLink('2xOC3'), { paths: 2, pathBps: 155.52e6 });
  assert.deepEqual(parseLink('1GbE'), { paths: 1, pathBps: 1e9 });
  assert.equal(formatBandwidth(155.52e6), '155.52 Mbit/s');
  assert.equal(formatBandwidth(999), '999.00 bit/s');
});

test('track presets', () => {
  assert.equal(parseTrackBytes('3390'), 56664);
  assert.equal(parseTrackBytes('3380'), 47476);
  assert.equal(parseTrackBytes('fba32'), 32768);
  assert.equal(parseTrackBytes('64KiB'), 65536);
  assert.equal(parseTrackBytes('4096'), 4096);
  assert.throws(() => parseTrackBytes('100'), /track size must be/);
});

test('times are UTC unless a zone is given', () => {
  assert.equal(parseTimeS('1767571200'), 1767571200);
  assert.equal(parseTimeS('2026-01-05T00:00'), 1767571200);
  assert.equal(parseTimeS('2026-01-05'), 1767571200);
  assert.equal(parseTimeS('2026-01-05T02:00+02:00'), 1767571200);
  assert.equal(parseTimeS('2026-01-05 00:00:30Z'), 1767571230);
  assert.deepEqual(parseTimeRange('2026-01-05T00:00/2h'), { fromS: 1767571200, toS: 1767578400 });
  assert.deepEqual(parseTimeRange('100/400'), { fromS: 100, toS: 400 });
  assert.throws(() => parseTimeRange('400/100'), /ends before it starts/);
  assert.throws(() => parseTimeS('yesterday'), /not a time/);
  assert.equal(isoFromS(1767571200), '2026-01-05T00:00:00Z');
});
