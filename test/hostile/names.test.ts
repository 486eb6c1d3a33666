import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';

/*
 * Names from a trace and a scope file that attack whoever reads the output: spreadsheet formulas
 * (OWASP CSV injection), terminal escapes, bidi overrides, XML markup and characters XML forbids.
 * Each goes through every output: table, csv, json, html, svg, summaries and error messages.
 */

// MSR hostnames (no comma or LF: the format cannot carry them); volume = `${host}_0`.
const HOSTS = [
  'plain',
  "=cmd|' /C calc'!A0",
  '@SUM(1)',
  '+1+1',
  '-1+1',
  '=HYPERLINK("http://evil.example/")',
  '\tTAB',
  '\rCR',
  '\x1b[31mESC\x07',
  'DEL\x7f',
  'NEL\x85', // U+0085 (UTF-8 bytes C2 85), a C1 control
  '<&"\'>',
];
const VOLUMES = HOSTS.map((h) => `${h}_0`);
// Two volumes write one track, the others two, so the HTML's top 10 by changed bytes is known.
const ONE_TRACK = new Set(['plain', '+1+1']);
const writeBytes = (host: string): number => (ONE_TRACK.has(host) ? 4096 : 65536 + 4096);

// Scope names can carry anything YAML/JSON can: commas, quotes, bidi overrides, ESC.
const GROUP_FORMULA = '=HYPERLINK("http://evil.example/","click")';
const GROUP_BIDI = '\u202eRLO\u2066x\u2069';
const GROUP_ESC = '\x1b]0;pwned\x07';
const DATASET_FORMULA = '@SUM(1),"x"';
const DATASET_CR = '\r-2+3';
const SCOPE = {
  groups: [
    { name: GROUP_FORMULA, volumes: ['+1+1_0'] },
    { name: GROUP_BIDI, volumes: ['-1+1_0'] },
    { name: GROUP_ESC, volumes: ['@SUM(1)_0'] },
  ],
  datasets: [
    { name: DATASET_FORMULA, extents: [{ volume: "=cmd|' /C calc'!A0_0", offset: 0, length: 65536 }] },
    { name: DATASET_CR, extents: [{ volume: '\x1b[31mESC\x07_0', offset: 0, length: 65536 }] },
  ],
};

// 2007-02-22T17:00:00Z as FILETIME: (1172163600 + 11644473600) * 10^7.
const FILETIME = '128166372000000000';
const START_S = 1172163600;

/** Terminal-unsafe characters (LF separates lines and is allowed between them). */
const RAW_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/** Characters XML 1.0 forbids, or that XML discourages (DEL, C1), or that reorder text. */
const XML_UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;

/** The escaped form the terminal must show, written out by hand for each hostile name. */
const SHOWN: Record<string, string> = {
  '\tTAB_0': '\\x09TAB_0',
  '\rCR_0': '\\x0dCR_0',
  '\x1b[31mESC\x07_0': '\\x1b[31mESC\\x07_0',
  'DEL\x7f_0': 'DEL\\x7f_0',
  'NEL\x85_0': 'NEL\\x85_0',
  [GROUP_BIDI]: '\\u202eRLO\\u2066x\\u2069',
  [GROUP_ESC]: '\\x1b]0;pwned\\x07',
  [DATASET_CR]: '\\x0d-2+3',
};

let dir = '';
let store = '';
let scopeFile = '';

before(async () => {
  dir = tempDir();
  store = join(dir, 'names.db');
  scopeFile = join(dir, 'scope.json');
  writeFileSync(scopeFile, JSON.stringify(SCOPE));
  const lines = HOSTS.map((h) => Buffer.from(`${FILETIME},${h},0,Write,0,${writeBytes(h)},100\r\n`, 'utf8'));
  writeFileSync(join(dir, 'trace.csv'), Buffer.concat(lines));
  const trace = join(dir, 'trace.csv');
  const r = await runCli('collect', trace, '--store', store, '--interval', '1m', '--scope', scopeFile, '--quiet');
  assert.equal(r.code, 0, r.stderr);
});

/** Split RFC 4180 CSV text into records of fields (quoted fields may hold CR, LF, commas, ""). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    i++;
    if (quoted) {
      if (c === '"' && text[i] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
    } else field += c;
  }
  assert.equal(field + fields.join(''), '', 'CSV ends with a line break');
  return records;
}

/** What a spreadsheet must see: OWASP's leading quote on text starting with = + - @ TAB CR. */
const neutralized = (name: string): string => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);

test('csv: formula-like names get a leading quote, fields are quoted per RFC 4180, numbers stay numbers', async () => {
  const r = await runCli('report', '--store', store, '--by', 'volume', '--per', 'interval', '--format', 'csv');
  assert.equal(r.code, 0, r.stderr);
  const two = '1,69632,2';
  const expected = [
    'start_s,volume,writes,write_bytes,changed_tracks',
    `${START_S},plain_0,1,4096,1`,
    `${START_S},'=cmd|' /C calc'!A0_0,${two}`,
    `${START_S},'@SUM(1)_0,${two}`,
    `${START_S},'+1+1_0,1,4096,1`,
    `${START_S},'-1+1_0,${two}`,
    `${START_S},"'=HYPERLINK(""http://evil.example/"")_0",${two}`,
    `${START_S},'\tTAB_0,${two}`,
    `${START_S},"'\rCR_0",${two}`,
    `${START_S},\x1b[31mESC\x07_0,${two}`,
    `${START_S},DEL\x7f_0,${two}`,
    `${START_S},NEL\x85_0,${two}`,
    `${START_S},"<&""'>_0",${two}`,
  ];
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines[0], expected[0]);
  assert.deepEqual(lines.slice(1).sort(), expected.slice(1).sort());
  // An independent RFC 4180 parse gives back every neutralised name exactly, one field each.
  const records = parseCsv(r.stdout);
  assert.deepEqual(
    records
      .slice(1)
      .map((f) => f[1])
      .sort(),
    VOLUMES.map(neutralized).sort(),
  );
  assert.ok(records.every((f) => f.length === 5));
});

test('csv: group and data-set names from the scope are neutralised and quoted too', async () => {
  const groups = await runCli('report', '--store', store, '--by', 'group', '--format', 'csv');
  assert.equal(groups.code, 0, groups.stderr);
  const names = parseCsv(groups.stdout)
    .slice(1)
    .map((f) => f[0]);
  assert.deepEqual(names.sort(), [`'${GROUP_FORMULA}`, GROUP_BIDI, GROUP_ESC, '(ungrouped)'].sort());
  assert.ok(groups.stdout.includes(`\n"'=HYPERLINK(""http://evil.example/"",""click"")",`), groups.stdout);
  const sets = await runCli('report', '--store', store, '--by', 'dataset', '--per', 'interval', '--format', 'csv');
  assert.equal(sets.code, 0, sets.stderr);
  // Each data set covers its volume's first 64 KiB track, which was written (data sets carry no
  // write counts); the two together: 2 tracks.
  assert.equal(
    sets.stdout,
    [
      'start_s,dataset,writes,write_bytes,changed_tracks',
      `${START_S},"'@SUM(1),""x""",,,1`,
      `${START_S},"'\r-2+3",,,1`,
      `${START_S},(all selected),,,2`,
      '',
    ].join('\n'),
  );
  const rows = parseCsv(sets.stdout)
    .slice(1)
    .map((f) => f[1]);
  assert.deepEqual(rows, [`'${DATASET_FORMULA}`, `'${DATASET_CR}`, '(all selected)']);
});

test('table: control and bidi characters in names are shown as escapes, never sent raw', async () => {
  for (const by of ['volume', 'group', 'dataset']) {
    for (const per of [[], ['--per', 'interval']]) {
      const r = await runCli('report', '--store', store, '--by', by, ...per);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW_UNSAFE, `${by} ${per.join(' ')}`);
    }
  }
  const volumes = await runCli('report', '--store', store, '--by', 'volume');
  const rowNames = volumes.stdout
    .split('\n')
    .slice(3)
    .map((l) => l.split('  ')[0]!);
  for (const v of VOLUMES) assert.ok(rowNames.includes(SHOWN[v] ?? v), `${JSON.stringify(v)} as ${SHOWN[v] ?? v}`);
  const groups = await runCli('report', '--store', store, '--by', 'group');
  for (const g of [GROUP_BIDI, GROUP_ESC]) assert.ok(groups.stdout.includes(`\n${SHOWN[g]}  `), groups.stdout);
  const sets = await runCli('report', '--store', store, '--by', 'dataset');
  assert.ok(sets.stdout.includes(`\n${SHOWN[DATASET_CR]}  `), sets.stdout);
});

test('json: names stay exact (JSON escapes control characters itself)', async () => {
  const r = await runCli('report', '--store', store, '--by', 'volume', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f]/);
  const rows = JSON.parse(r.stdout) as { volume: string; writes: number }[];
  assert.deepEqual(rows.map((x) => x.volume).sort(), [...VOLUMES].sort());
  const byGroup = await runCli('report', '--store', store, '--by', 'group', '--format', 'json');
  const groups = JSON.parse(byGroup.stdout) as { group: string }[];
  assert.deepEqual(groups.map((g) => g.group).sort(), [GROUP_FORMULA, GROUP_BIDI, GROUP_ESC, '(ungrouped)'].sort());
});

/** The XML text a name must become: markup escaped, unsafe characters replaced by U+FFFD. */
const XML_SHOWN: Record<string, string> = {
  [GROUP_BIDI]: '\ufffdRLO\ufffdx\ufffd',
  [GROUP_ESC]: '\ufffd]0;pwned\ufffd',
  [GROUP_FORMULA]: '=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click&quot;)',
  '(ungrouped)': '(ungrouped)',
};

/** The SVG chart and the HTML report of the hostile store, written once for both tests below. */
async function renderedXml(): Promise<{ svgs: string[]; htmlText: string }> {
  const svgFile = join(dir, 'changed.svg');
  const svg = await runCli('report', '--store', store, '--format', 'svg', '--chart', 'changed', '-o', svgFile);
  assert.equal(svg.code, 0, svg.stderr);
  const svgText = readFileSync(svgFile, 'utf8');
  assert.doesNotMatch(svgText, XML_UNSAFE);
  for (const [name, shown] of Object.entries(XML_SHOWN)) {
    assert.ok(svgText.includes(`<title>${shown}</title>`), JSON.stringify(name));
  }
  const htmlFile = join(dir, 'report.html');
  const html = await runCli('report', '--store', store, '--format', 'html', '-o', htmlFile, '--link', '1x10Mbit');
  assert.equal(html.code, 0, html.stderr);
  const htmlText = readFileSync(htmlFile, 'utf8');
  assert.doesNotMatch(htmlText, XML_UNSAFE);
  assert.ok(htmlText.includes('<td>&lt;&amp;&quot;&#39;&gt;_0</td>'));
  assert.ok(htmlText.includes('<td>\ufffd[31mESC\ufffd_0</td>'));
  assert.ok(htmlText.includes('<td>NEL\ufffd_0</td>'));
  return { svgs: [svgText, ...(htmlText.match(/<svg[\s\S]*?<\/svg>/g) ?? [])], htmlText };
}

test('svg and html: names escaped for XML, forbidden characters replaced; well-formed XML', async () => {
  const { svgs } = await renderedXml();
  assert.equal(svgs.length, 1 + 6); // the standalone chart and the report's six
  for (const s of svgs) assert.deepEqual(xmlProblems(s), [], s.slice(0, 200));
});

const CHROMIUM = '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium)`;
if (noChromium) console.log(`# skip: ${noChromium}`);

test('svg and html: Chromium parses the SVGs as XML and shows the escaped names', { skip: noChromium }, async () => {
  const { svgs, htmlText } = await renderedXml();
  await checkInChromium(svgs, htmlText);
});

/**
 * A strict well-formedness check of an XML fragment, written here so it runs without a browser:
 * only XML 1.0 characters, tags balanced, attributes quoted without `<`, every `&` an entity.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (XML_UNSAFE.test(xml)) problems.push('character XML forbids or discourages');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|#39);)/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml)) !== null) {
    if (m[2] === undefined) {
      problems.push(`stray ${JSON.stringify(m[0])} at ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 40))}`);
      continue;
    }
    for (const a of m[3]!.matchAll(/="([^"]*)"/g)) {
      if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(a[1]!)) problems.push(`bare & in ${a[0]}`);
    }
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) problems.push(`unbalanced </${m[2]}> at ${m.index}`);
    } else if (m[4] !== '/') stack.push(m[2]);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}

/** The SVGs through Chromium's XML parser (image/svg+xml), the HTML through its HTML parser. */
async function checkInChromium(svgs: string[], htmlText: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const args = ['--headless', '--no-sandbox', '--disable-gpu'];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  try {
    const page = await browser.newPage();
    const parsed = await page.evaluate(
      (list: string[]) =>
        list.map((s) => {
          const doc = new DOMParser().parseFromString(s, 'image/svg+xml');
          const error = doc.getElementsByTagName('parsererror')[0];
          return error
            ? `parsererror: ${error.textContent}`
            : [...doc.querySelectorAll('title')].map((t) => t.textContent);
        }),
      svgs,
    );
    for (const p of parsed) assert.ok(Array.isArray(p), String(p));
    const want = Object.keys(XML_SHOWN)
      .map((n) => XML_SHOWN[n]!.replace(/&quot;/g, '"'))
      .sort();
    assert.deepEqual((parsed[0] as string[]).slice(1).sort(), want);
    await page.setContent(htmlText);
    const cells = await page.locator('#volumes tr td:first-child').allTextContents();
    const xmlText = (v: string): string => v.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, '\ufffd');
    // The top 10 volumes: all but the two one-track ones. A cell's leading TAB or CR is
    // whitespace to HTML (CR read as LF): compare trimmed.
    const top = HOSTS.filter((h) => !ONE_TRACK.has(h)).map((h) => xmlText(`${h}_0`).trim());
    assert.deepEqual(cells.map((c) => c.trim()).sort(), top.sort());
  } finally {
    await browser.close();
  }
}

test('messages: names and input text in errors, warnings and summaries are escaped for the terminal', async () => {
  const group = await runCli('report', '--store', store, '--models', '--group', '\x1b[2Jnope');
  assert.equal(group.code, 2);
  assert.doesNotMatch(group.stderr.slice(0, -1), RAW_UNSAFE);
  assert.ok(group.stderr.includes('"\\x1b[2Jnope"'), group.stderr);
  assert.ok(group.stderr.includes(SHOWN[GROUP_BIDI]!) && group.stderr.includes(SHOWN[GROUP_ESC]!), group.stderr);

  const badFile = join(dir, 'bad\x1b[31m\x07.csv');
  writeFileSync(badFile, `${FILETIME},plain,0,Write,0,4096,100\n${FILETIME},plain,0,Write,0,5\x1b[2J,100\n`);
  const bad = await runCli('collect', badFile, '--store', join(dir, 'bad.db'), '--format', 'msr', '--quiet');
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.doesNotMatch(bad.stderr.slice(0, -1), RAW_UNSAFE);
  assert.ok(bad.stderr.includes('bad\\x1b[31m\\x07.csv:2'), bad.stderr);
  assert.ok(bad.stderr.includes('5\\x1b[2J'), bad.stderr);

  const skipStore = join(dir, 'skip.db');
  const skip = await runCli('collect', badFile, '--store', skipStore, '--format', 'msr', '--skip-bad', '--quiet');
  assert.equal(skip.code, 0, skip.stderr);
  assert.doesNotMatch(skip.stdout.replace(/\n/g, ''), RAW_UNSAFE);
  assert.ok(skip.stdout.includes(`from ${join(dir, 'bad\\x1b[31m\\x07.csv')} (msr) into`), skip.stdout);
  assert.ok(skip.stdout.includes('5\\x1b[2J'), skip.stdout);

  const runs = await runCli('runs', '--store', skipStore);
  assert.equal(runs.code, 0, runs.stderr);
  assert.doesNotMatch(runs.stdout.replace(/\n/g, ''), RAW_UNSAFE);
  assert.ok(runs.stdout.includes('bad\\x1b[31m\\x07.csv (msr)'), runs.stdout);

  const unknown = await runCli('\x1b[2J');
  assert.equal(unknown.code, 2);
  assert.ok(unknown.stderr.startsWith('churnlink: unknown command "\\x1b[2J";'), unknown.stderr);
});
