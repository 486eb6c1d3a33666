import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeTerminal, escapeXml, neutralizeFormula } from '../../src/render/escape.js';
import { renderCsv } from '../../src/render/csv.js';

test('escapeTerminal shows C0, DEL, C1 and bidi controls as escapes and leaves other text alone', () => {
  assert.equal(escapeTerminal('a\x00b\x07c\x1b[2Jd\te\nf\rg'), 'a\\x00b\\x07c\\x1b[2Jd\\x09e\\x0af\\x0dg');
  assert.equal(escapeTerminal('\x7f\x80\x85\x9f\xa0é'), '\\x7f\\x80\\x85\\x9f\xa0é');
  assert.equal(
    escapeTerminal('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'),
    '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069',
  );
  assert.equal(escapeTerminal('C:\\x1b\\dir \u2029 \u200f ok'), 'C:\\x1b\\dir \u2029 \u200f ok');
});

test('escapeXml escapes markup and replaces characters XML 1.0 forbids or that reorder text', () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  assert.equal(
    escapeXml('\x00\x08\t\n\x0b\x0c\r\x1f \x7f\x85\u202e\u2069\ufffe\uffff'),
    '\ufffd\ufffd\t\n\ufffd\ufffd\r\ufffd \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd',
  );
  assert.equal(escapeXml('x\ud800y\udc00z\ud83d\ude00'), 'x\ufffdy\ufffdz\ud83d\ude00');
});

test('neutralizeFormula prefixes a quote to text starting with = + - @ TAB or CR only', () => {
  for (const s of ['=1+1', '+1', '-5', '@SUM(1)', '\tx', '\rx']) assert.equal(neutralizeFormula(s), `'${s}`);
  for (const s of ['a=1', ' =1', '5', '', '\nx', "'=1"]) assert.equal(neutralizeFormula(s), s);
});

test('renderCsv: a number -5 stays -5, the text "-5" becomes \'-5; quoting per RFC 4180', () => {
  assert.equal(
    renderCsv(
      ['n', 'name'],
      [
        [-5, '-5'],
        [1.5, 'a,"b"'],
        [null, '=x\ny'],
        [undefined, 'plain'],
      ],
    ),
    'n,name\n-5,\'-5\n1.5,"a,""b"""\n,"\'=x\ny"\n,plain\n',
  );
});
