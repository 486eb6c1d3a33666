import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackedStepChart, stepLineChart } from '../../src/render/steps.js';

// Plot: x 72 .. 852 px (780 px), y 256 (0) .. 36 (top tick), 220 px high.
test('each value spans its own interval: two 60 s intervals over a 120 s axis are 390 px each', () => {
  const svg = stackedStepChart(
    [
      { fromS: 0, toS: 60 },
      { fromS: 60, toS: 120 },
    ],
    [{ name: 'g', values: [1, 3] }],
    { title: 't', yLabel: 'y', fromS: 0, toS: 120 },
  );
  // y ticks 0, 1, 2, 3: y(1) = 256 - 220 / 3 = 182.7, y(3) = 36.
  assert.match(svg, /<path d="M72,182\.7H462V36H852V256H72Z"/);
});

test('stacked steps: a gap between spans drops to zero; layers stack; names are escaped', () => {
  const svg = stackedStepChart(
    [
      { fromS: 0, toS: 30 },
      { fromS: 60, toS: 90 },
    ],
    [
      { name: '<a&b>', values: [1, 1] },
      { name: 'c"d', values: [0, 2] },
    ],
    { title: 't', yLabel: 'y', fromS: 0, toS: 120 },
  );
  // 6.5 px/s: 30 s -> 267, 60 s -> 462, 90 s -> 657; y ticks 0..3: y(1) 182.7, y(3) 36.
  assert.match(svg, /<path d="M72,182\.7H267V256H462V182\.7H657V256H72Z" fill="#4e79a7"/);
  assert.match(svg, /<path d="M72,182\.7H267V256H462V36H657V182\.7H462V256H267V182\.7H72Z" fill="#f28e2b"/);
  assert.ok(svg.includes('<title>&lt;a&amp;b&gt;</title>') && svg.includes('>c&quot;d</text>'));
  assert.ok(!svg.includes('<a&b>'));
});

test('a chart stands alone: white background and a font family on the root', () => {
  const svg = stepLineChart(
    [{ fromS: 0, toS: 60 }],
    { name: 'RPO', values: [2] },
    { title: 't', yLabel: 'y', fromS: 0, toS: 60 },
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*font-family="[^"]*sans-serif"[^>]*>/);
  assert.match(svg, /<rect class="background" x="0" y="0" width="900" height="\d+" fill="#fff"\/>/);
  assert.match(svg, /<text class="x-title" [^>]*>time \(UTC\)<\/text>/);
});

test('shared scale: yMax lifts the top tick', () => {
  const svg = stackedStepChart([{ fromS: 0, toS: 60 }], [{ name: 'g', values: [1] }], {
    title: 't',
    yLabel: 'y',
    fromS: 0,
    toS: 60,
    yMax: 3,
  });
  assert.match(svg, /<path d="M72,182\.7H852V256H72Z"/);
});
