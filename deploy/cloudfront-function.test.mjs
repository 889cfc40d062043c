// Tests the CloudFront Function that maps folder addresses to index.html.
// Run: node deploy/cloudfront-function.test.mjs (node's own test runner, no packages).
//
// (a) template.yaml carries the function inline (FunctionCode); that copy must
//     equal deploy/cloudfront-function.js byte for byte, so the two cannot drift.
// (b) The handler is run with viewer-request events as CloudFront builds them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, 'cloudfront-function.js'), 'utf8');
const template = readFileSync(join(here, 'template.yaml'), 'utf8');

// Reads the literal block scalar `FunctionCode: |` the way YAML does for this
// shape: the indentation of its first line is the block's, every following
// line with at least that indentation (or blank) belongs to it, and the
// default "clip" chomping keeps exactly one final line break.
function functionCodeBlock(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s*FunctionCode:\s*\|\s*$/.test(line));
  assert.notEqual(start, -1, 'template.yaml has no `FunctionCode: |` block');
  assert.equal(
    lines.filter((line) => /^\s*FunctionCode:/.test(line)).length,
    1,
    'template.yaml should have exactly one FunctionCode',
  );
  const keyIndent = lines[start].match(/^ */)[0].length;
  const first = lines.slice(start + 1).find((line) => line.trim() !== '');
  const indent = first.match(/^ */)[0].length;
  assert.ok(indent > keyIndent, 'the FunctionCode block is not indented');
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') {
      body.push('');
    } else if (line.startsWith(' '.repeat(indent))) {
      body.push(line.slice(indent));
    } else {
      break;
    }
  }
  while (body.length > 0 && body[body.length - 1] === '') {
    body.pop();
  }
  return body.join('\n') + '\n';
}

// CloudFront Functions (JS 2.0) define a global `handler`; there is no module.
function loadHandler(code) {
  return new Function(`${code}; return handler;`)();
}

function viewerRequest(uri, querystring = {}, extraHeaders = {}) {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE' },
    viewer: { ip: '192.0.2.1' },
    request: {
      method: 'GET',
      uri,
      querystring,
      headers: { host: { value: 'd111111abcdef8.cloudfront.net' }, ...extraHeaders },
      cookies: {},
    },
  };
}

const handler = loadHandler(source);

test('template.yaml carries cloudfront-function.js byte for byte', () => {
  assert.equal(functionCodeBlock(template), source);
});

test('the copy in the template is the code that runs', () => {
  const fromTemplate = loadHandler(functionCodeBlock(template));
  assert.equal(fromTemplate(viewerRequest('/bielefeld/de/')).uri, '/bielefeld/de/index.html');
});

test('a folder address is served from its index.html', () => {
  const result = handler(viewerRequest('/bielefeld/de/'));
  assert.equal(result.uri, '/bielefeld/de/index.html');
  assert.equal(result.statusCode, undefined);
});

test('the root is served from /index.html', () => {
  assert.equal(handler(viewerRequest('/')).uri, '/index.html');
});

test('a folder address without its slash is redirected, 301', () => {
  const result = handler(viewerRequest('/bielefeld/de'));
  assert.equal(result.statusCode, 301);
  assert.equal(result.headers.location.value, '/bielefeld/de/');
});

test('the redirect keeps the query string', () => {
  const result = handler(
    viewerRequest('/bielefeld/de', {
      q: { value: 'einb%C3%BCrgerung' },
      page: { value: '2' },
    }),
  );
  assert.equal(result.statusCode, 301);
  assert.equal(result.headers.location.value, '/bielefeld/de/?q=einb%C3%BCrgerung&page=2');
});

test('the redirect keeps repeated and valueless parameters', () => {
  const result = handler(
    viewerRequest('/bielefeld/de/apply', {
      lang: { value: 'de', multiValue: [{ value: 'de' }, { value: 'en' }] },
      print: { value: '' },
    }),
  );
  assert.equal(result.headers.location.value, '/bielefeld/de/apply/?lang=de&lang=en&print');
});

test('files are left alone', () => {
  for (const uri of ['/assets/style.0123abcd.css', '/sitemap.xml', '/bielefeld/wappen.svg']) {
    const event = viewerRequest(uri, { v: { value: '1' } });
    const result = handler(event);
    assert.equal(result.uri, uri);
    assert.deepEqual(result.querystring, { v: { value: '1' } });
    assert.equal(result.statusCode, undefined);
  }
});

test('dot files, such as the deploy record, are not served', () => {
  for (const uri of ['/.site-gen-deployed.json', '/nrw/.site-gen-deployed.json', '/a/.hidden/x.html']) {
    const result = handler(viewerRequest(uri));
    assert.equal(result.statusCode, 404, uri);
    assert.equal(result.uri, undefined);
  }
  assert.equal(handler(viewerRequest('/assets/style.0123abcd.css')).uri, '/assets/style.0123abcd.css');
});

test('an address with an empty part is no redirect to another host', () => {
  for (const uri of ['//3232235777', '//evil.example/x', '/bielefeld//de']) {
    const result = handler(viewerRequest(uri));
    assert.equal(result.statusCode, 404, uri);
    assert.equal(result.headers.location, undefined);
  }
});

test('a form body over Lambda\'s 6 MB limit gets the clear 413 page; others go to form-fn', () => {
  const big = handler(viewerRequest('/submit/bielefeld/einbuergerung', {}, { 'content-length': { value: String(6 * 1024 * 1024 + 1) } }));
  assert.equal(big.statusCode, 413);
  assert.match(big.body.data, /höchstens 4 MB/);
  assert.equal(big.headers['cache-control'].value, 'no-store');
  const small = handler(viewerRequest('/submit/bielefeld/einbuergerung', {}, { 'content-length': { value: '10502' } }));
  assert.equal(small.uri, '/submit/bielefeld/einbuergerung', 'passed on unchanged');
  assert.equal(small.statusCode, undefined);
});
