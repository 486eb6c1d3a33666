import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium)`;
if (noChromium) console.log(`# skip: ${noChromium}`);

test(
  'the HTML report renders offline in Chromium with charts that have data and no console errors',
  { skip: noChromium },
  async () => {
    const dir = tempDir();
    const store = join(dir, 'sample.db');
    const html = join(dir, 'report.html');
    assert.equal(
      (
        await runCli(
          'collect',
          join(ROOT, 'samples', 'sample-msr.csv.gz'),
          '--store',
          store,
          '--interval',
          '5m',
          '--scope',
          join(ROOT, 'samples', 'scope.yaml'),
        )
      ).code,
      0,
    );
    const r = await runCli(
      'report',
      '--store',
      store,
      '--format',
      'html',
      '-o',
      html,
      '--link',
      '2x3Mbit',
      '--cycle',
      '5m',
    );
    assert.equal(r.code, 0, r.stderr);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) problems.push(`network request: ${req.url()}`);
      });
      await page.goto(pathToFileURL(html).href);
      assert.deepEqual(problems, []);
      assert.equal(await page.locator('svg.chart').count(), 6);
      // The planner's charts: cycle lengths 5 min .. 1 h (12 points), the what-if sweep 0.5x .. 4x (8).
      const charts = [
        ['changed', 10],
        ['written', 10],
        ['bandwidth', 10],
        ['rpo', 10],
        ['cycles', 12],
        ['sweep', 8],
      ] as const;
      for (const [id, points] of charts) {
        const d = await page.locator(`#${id} svg g.data path`).first().getAttribute('d');
        // Lines join points with L; per-interval charts draw a step (H) per interval.
        assert.ok(d !== null && d.split(/[LH]/).length >= points, `${id} chart has data points`);
        const box = await page.locator(`#${id} svg`).boundingBox();
        assert.ok(box !== null && box.width > 300 && box.height > 100, `${id} chart is laid out`);
      }
      assert.deepEqual(await page.locator('#changed svg g.data path title').allTextContents(), ['array-a', 'array-b']);
      assert.deepEqual(await page.locator('#volumes tr td:first-child').allTextContents(), [
        'src1_0',
        'web_0',
        'prxy_0',
        'mds_0',
      ]);
      assert.deepEqual(await page.locator('#models tr td:first-child').allTextContents(), [
        'synchronous',
        'asynchronous',
        'periodic',
      ]);
      assert.match(
        (await page.locator('#backlog').textContent()) ?? '',
        /^Peak backlog on the simulated link .*: [\d.]+ MiB\.$/,
      );
      assert.match(
        (await page.locator('#headline').textContent()) ?? '',
        /^The given link, 2 x 3\.00 Mbit\/s, resynchronizes the [\d.]+ MiB changed in this window in .*; with 5 min/,
      );
      // Every x tick label lies clear of its neighbours, as laid out by the browser.
      for (const id of ['changed', 'bandwidth', 'rpo', 'cycles', 'sweep']) {
        const boxes = await page.locator(`#${id} svg g.x-ticks text`).evaluateAll((nodes) =>
          nodes.map((n) => {
            const box = (n as unknown as { getBBox(): { x: number; width: number } }).getBBox();
            return { x: box.x, width: box.width }; // an SVGRect does not cross to Node
          }),
        );
        assert.ok(boxes.length >= 2, `${id}: tick labels`);
        for (let i = 1; i < boxes.length; i++) {
          assert.ok(
            boxes[i - 1]!.x + boxes[i - 1]!.width < boxes[i]!.x,
            `${id}: tick labels ${i - 1} and ${i} overlap`,
          );
        }
      }
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
