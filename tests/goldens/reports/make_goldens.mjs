// Regenerates the report goldens from the reference implementation (see README.md).
//
//   node tests/goldens/reports/make_goldens.mjs <reference-checkout>
//
// <reference-checkout> holds the reference's package.json, scripts/telemetry/ and
// src/game/telemetry/.  Nothing of the reference is copied here: this script only calls it.
import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const reference = path.resolve(process.argv[2] ?? '');
const inputs = path.join(here, 'inputs');
const expected = path.join(here, 'expected');
const CWD_TOKEN = '<CWD>';

const load = (relative) => import(pathToFileURL(path.join(reference, relative)).href);
const { CiArtifactPublisher } = await load('src/game/telemetry/CiArtifactPublisher.js');
const providersModule = await load('scripts/telemetry/reportProviderMetrics.js');
const fallbackModule = await load('scripts/telemetry/analyzeFallbackUsage.js');

const writeJson = (relative, value) => {
  const target = path.join(inputs, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(value, null, 2));
};
const writeText = (relative, text) => {
  const target = path.join(inputs, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
};

// --- 1. manifests written by the reference publisher, one per row of its bucketing table ----
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const BUCKET_ROWS = [
  ['uploaded', { status: 'uploaded' }],
  ['succeeded', { status: 'succeeded' }],
  ['upper-case', { status: 'UPLOADED' }],
  ['partial', { status: 'partial' }],
  ['skipped', { status: 'skipped', skippedReason: 'environment_unavailable' }],
  ['failed', { status: 'failed', exitCode: 1 }],
  ['error', { status: 'error', exitCode: 2 }],
  ['timeout', { status: 'timeout', exitCode: 124 }],
  ['cancelled', { status: 'cancelled', exitCode: 130 }],
  ['other-exit-0', { status: 'weird', exitCode: 0 }],
  ['other-exit-127', { status: 'weird', exitCode: 127 }],
  ['other-exit-1', { status: 'weird', exitCode: 1 }],
  ['no-status-exit-0', { exitCode: 0 }],
  ['no-status-exit-1', { exitCode: 1 }],
  ['not-an-object', 'a string result'],
];

async function publish(relative, results) {
  const uploaders = results.map(([provider, result]) => ({
    provider,
    async upload() {
      return typeof result === 'object' ? { provider, ...result } : result;
    },
  }));
  const publisher = new CiArtifactPublisher({
    metadataPath: path.join(inputs, relative),
    dryRun: false,
    env: {},
    logger: silent,
    // A real spawn of a command that does not exist: the publisher's missing-command path.
    commands: ['worldstate-golden-command-that-does-not-exist'],
    fallbackUploaders: uploaders,
  });
  await publisher.publish([], { runId: relative, prefix: 'golden' });
}

for (const [name, result] of BUCKET_ROWS) {
  await publish(`published/${name}/ci-artifacts.json`, [[`provider-${name}`, result]]);
}
await publish(
  'published/all-rows/ci-artifacts.json',
  BUCKET_ROWS.map(([name, result], index) => [index % 2 ? 'shared' : `p-${name}`, result]),
);

// --- 2. hand-made manifests: odd counters and shapes a reader must survive -----------------
const zeroSummary = { attempted: false, attempts: 0, succeeded: 0, failed: 0, partial: 0, skipped: 0,
  lastAttemptedAt: null, providers: {} };
writeJson('crafted/missing-fallback-summary.json', { generatedAt: 1, artifacts: [] });
writeJson('crafted/null-fallback-summary.json', { fallbackSummary: null });
writeJson('crafted/string-fallback-summary.json', { fallbackSummary: 'attempted' });
writeJson('crafted/array-fallback-summary.json', { fallbackSummary: [1, 2, 3] });
writeJson('crafted/zero-summary.json', { fallbackSummary: zeroSummary });
writeJson('crafted/odd-counters.json', {
  fallbackSummary: {
    attempted: 'false', attempts: '3', succeeded: null, failed: 'NaN', partial: ' 4 ',
    skipped: true, lastAttemptedAt: '2025-11-02T10:00:00.000Z',
    providers: {
      b: { attempts: '2', succeeded: '0x10', failed: '1e1', partial: [], skipped: ['2'],
        lastStatus: 'partial', lastAttemptedAt: '2025-11-02T10:00:00.000Z' },
      10: { attempts: 1, lastStatus: '', lastAttemptedAt: '' },
      a: { attempted: true, attempts: 0, lastStatus: { nested: 1 }, lastAttemptedAt: '\u{1F600} first' },
      n: { attempts: 1, lastAttemptedAt: 5 },
      2: null,
      z: 7,
      s: 'text',
    },
  },
});
writeJson('crafted/more-counters.json', {
  fallbackSummary: {
    attempted: 1, attempts: 2.5, succeeded: -1, failed: '', partial: {}, skipped: 'Infinity',
    lastAttemptedAt: '2025-11-01T23:59:59.999Z',
    providers: {
      b: { attempts: 1, succeeded: 1, lastStatus: 'uploaded', lastAttemptedAt: '2025-11-03T00:00:00.000Z' },
      a: { attempts: '1', lastStatus: 0, lastAttemptedAt: '\uff01 after' },
      10: { attempts: 3, lastStatus: 'failed', lastAttemptedAt: '\u{1F600} emoji' },
    },
  },
});
writeJson('crafted/array-providers.json', {
  fallbackSummary: { attempted: true, attempts: 1, lastAttemptedAt: '', providers: [{ attempts: 1 }, null] },
});
writeJson('crafted/empty-object.json', {});
writeJson('crafted/array-document.json', [1, 2]);
writeJson('crafted/number-document.json', 5);
writeText('crafted/null-document.json', 'null');
writeText('crafted/false-document.json', 'false');
writeText('crafted/broken.json', '{"fallbackSummary": {"attempts": 1,');
writeText('crafted/empty-file.json', '');
writeText('crafted/nan-literal.json', '{"fallbackSummary": {"attempts": NaN}}');
writeJson('crafted/d4-provider-key.json', {
  fallbackSummary: { attempted: true, attempts: 1, succeeded: 1, lastAttemptedAt: '2025-11-04T00:00:00.000Z',
    providers: { 'pipe|provider': { attempts: 1, succeeded: 1, lastStatus: 'uploaded',
      lastAttemptedAt: '2025-11-04T00:00:00.000Z' }, 'line\nbreak\r\nprovider': { attempts: 0 } } },
});
writeJson('crafted/pipe|folder/ci-artifacts.json', { fallbackSummary: zeroSummary });

const providerEntries = [
  { provider: 'githubUpload', status: 'uploaded', exitCode: 0, durationMs: 1234.5, artifactName: 'inspector',
    fileCount: 3, skippedReason: null, attemptedAt: '2025-11-01T00:00:00.000Z' },
  { provider: 'githubActionsApi', status: 'skipped', exitCode: 0, durationMs: null, artifactName: null,
    files: ['a', 'b'], skippedReason: 'environment_unavailable' },
  { provider: 'cmd', status: 'failed', exitCode: '3', durationMs: 'NaN', fileCount: '3', files: 'abc',
    artifactName: '', skippedReason: '' },
  { provider: 'err', status: 'error', exitCode: -0, durationMs: 1e21, artifactName: 0, files: [] },
  { status: 'timeout', exitCode: 124, durationMs: 0.000001, artifactName: false },
  { provider: null, status: null, exitCode: null },
  { provider: 7, status: 404, artifactName: ['x', 'y'], skippedReason: { why: 1 } },
  { provider: 'ordering', status: '12', exitCode: 1.5 },
  { provider: 'obj', status: { odd: true } },
  null,
  5,
  'a string entry',
  [],
  { provider: 'again', status: 'uploaded', exitCode: 0 },
];
writeJson('crafted/provider-results.json', { providerResults: providerEntries });
writeJson('crafted/provider-results-empty.json', { providerResults: [] });
writeJson('crafted/provider-results-object.json', { providerResults: { provider: 'x' } });
writeJson('crafted/provider-results-d4.json', {
  providerResults: [{ provider: 'a|b', status: 'failed', artifactName: 'name|with|pipes',
    skippedReason: 'first line\nsecond line\r\nthird\rfourth', exitCode: 1 }],
});

// --- 3. run the reference scripts -----------------------------------------------------------
const cases = [];
const scripts = {
  providers: path.join(reference, 'scripts/telemetry/reportProviderMetrics.js'),
  fallback: path.join(reference, 'scripts/telemetry/analyzeFallbackUsage.js'),
};
const cleanEnv = { ...process.env };
for (const name of ['GITHUB_STEP_SUMMARY', 'CI_ARTIFACT_METADATA']) delete cleanEnv[name];

function runReference(script, args) {
  const run = spawnSync('node', [scripts[script], ...args], { cwd: inputs, env: cleanEnv, encoding: 'utf8' });
  return { stdout: run.stdout, exit: run.status };
}

function record(name, script, args, { stdout, exit }, how) {
  fs.mkdirSync(expected, { recursive: true });
  fs.writeFileSync(path.join(expected, `${name}.out`), stdout.split(inputs).join(CWD_TOKEN));
  cases.push({ name, script, args, exit, how });
}

function cliCase(name, script, args) {
  record(name, script, args, runReference(script, args), 'reference script');
}

const published = BUCKET_ROWS.map(([name]) => `published/${name}/ci-artifacts.json`);
const oddFallback = [
  'crafted/missing-fallback-summary.json', 'crafted/null-fallback-summary.json',
  'crafted/string-fallback-summary.json', 'crafted/array-fallback-summary.json',
  'crafted/zero-summary.json', 'crafted/odd-counters.json', 'crafted/more-counters.json',
  'crafted/array-providers.json', 'crafted/empty-object.json', 'crafted/array-document.json',
  'crafted/number-document.json',
];
const unreadable = [
  'crafted/does-not-exist.json', 'crafted/broken.json', 'crafted/empty-file.json',
  'crafted/nan-literal.json', 'crafted/null-document.json', 'crafted/false-document.json',
];

cliCase('fallback-no-inputs', 'fallback', []);
cliCase('fallback-unreadable-only', 'fallback', unreadable);
cliCase('fallback-bucketing-table', 'fallback', [...published, 'published/all-rows/ci-artifacts.json']);
cliCase('fallback-odd-manifests', 'fallback', [
  '--metadata', oddFallback[0], '--metadata', oddFallback[1], ...oddFallback.slice(2, 6),
  unreadable[1], ...oddFallback.slice(6), oddFallback[0], unreadable[0],
]);
cliCase('fallback-odd-manifests-json', 'fallback', [...oddFallback, ...unreadable, '--json']);
cliCase('fallback-fail-on-usage', 'fallback', [published[0], '--fail-on-usage']);
cliCase('fallback-fail-on-usage-unused', 'fallback', ['crafted/zero-summary.json', '--fail-on-usage']);
cliCase('fallback-max-attempts-exceeded', 'fallback', ['--max-attempts', '2', ...published.slice(0, 3)]);
cliCase('fallback-max-attempts-kept', 'fallback', ['--max-attempts', '3', ...published.slice(0, 3)]);

cliCase('providers-missing-file', 'providers', ['--metadata', 'crafted/does-not-exist.json']);
cliCase('providers-broken-json', 'providers', ['--metadata', 'crafted/broken.json']);
cliCase('providers-null-document', 'providers', ['--metadata', 'crafted/null-document.json']);
cliCase('providers-no-results', 'providers', ['--metadata', 'crafted/missing-fallback-summary.json']);
cliCase('providers-empty-results', 'providers', ['--metadata', 'crafted/provider-results-empty.json']);
cliCase('providers-results-not-a-list', 'providers', ['--metadata', 'crafted/provider-results-object.json']);
cliCase('providers-odd-records', 'providers', ['--metadata', 'crafted/provider-results.json']);
cliCase('providers-bucketing-table', 'providers', ['--metadata', 'published/all-rows/ci-artifacts.json']);
for (const [name] of BUCKET_ROWS) {
  cliCase(`providers-${name}`, 'providers', ['--metadata', `published/${name}/ci-artifacts.json`]);
}

// --summary: the reference appends there instead of printing; the golden is the file's text.
{
  const summaryFile = path.join(inputs, 'summary-out.md');
  fs.rmSync(summaryFile, { force: true });
  const run = runReference('providers', ['--metadata', 'published/all-rows/ci-artifacts.json', '--summary', summaryFile]);
  record('providers-summary-file', 'providers', ['--metadata', 'published/all-rows/ci-artifacts.json'],
    { stdout: fs.readFileSync(summaryFile, 'utf8'), exit: run.exit }, 'reference script (--summary file)');
  fs.rmSync(summaryFile);
}

// --- 4. through the reference's own functions: D4 escaping and the providers JSON ----------
const d4 = (value) => String(value).replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
const escapeTruthy = (value) => (value && typeof value !== 'number' ? d4(value) : value);

function providersHarness(manifestRelative, { escape = false, json = false } = {}) {
  const metadata = JSON.parse(fs.readFileSync(path.join(inputs, manifestRelative), 'utf8'));
  const summary = providersModule.summariseProviderResults(metadata.providerResults || []);
  if (json) return `${JSON.stringify(summary, null, 2)}\n`;
  if (escape) {
    summary.providers = summary.providers.map((row) => ({
      ...row,
      provider: d4(row.provider),
      status: d4(row.status),
      artifactName: escapeTruthy(row.artifactName),
      skippedReason: escapeTruthy(row.skippedReason),
    }));
  }
  return `${providersModule.formatMarkdown(summary)}\n`;
}

function fallbackHarness(relatives, { escape = false } = {}) {
  const entries = [];
  for (const relative of relatives) {
    const full = path.join(inputs, relative);
    let metadata = null;
    try { metadata = JSON.parse(fs.readFileSync(full, 'utf8')); } catch { continue; }
    if (!metadata) continue;
    entries.push({ path: full, summary: metadata.fallbackSummary ?? null });
  }
  const aggregate = fallbackModule.aggregateFallbackSummaries(entries);
  if (escape) {
    aggregate.providers = Object.fromEntries(
      Object.entries(aggregate.providers).map(([key, stats]) => [d4(key), stats]));
    aggregate.sources = aggregate.sources.map((source) => ({ ...source, path: d4(source.path) }));
  }
  const previous = process.cwd();
  process.chdir(inputs);
  try { return `${fallbackModule.formatFallbackReport(aggregate)}\n`; } finally { process.chdir(previous); }
}

// The harness must reproduce the scripts exactly where escaping changes nothing.
const check = (label, got, name) => {
  const want = fs.readFileSync(path.join(expected, `${name}.out`), 'utf8');
  if (got !== want) throw new Error(`harness differs from the reference script for ${label}`);
};
check('providers', providersHarness('crafted/provider-results.json'), 'providers-odd-records');
check('fallback', fallbackHarness([...published, 'published/all-rows/ci-artifacts.json']), 'fallback-bucketing-table');

const harnessCase = (name, script, args, stdout) =>
  record(name, script, args, { stdout, exit: 0 }, 'reference functions with D4 cell escaping');
harnessCase('providers-d4-cells', 'providers', ['--metadata', 'crafted/provider-results-d4.json'],
  providersHarness('crafted/provider-results-d4.json', { escape: true }));
harnessCase('fallback-d4-cells', 'fallback', ['crafted/d4-provider-key.json', 'crafted/pipe|folder/ci-artifacts.json'],
  fallbackHarness(['crafted/d4-provider-key.json', 'crafted/pipe|folder/ci-artifacts.json'], { escape: true }));
for (const relative of ['crafted/provider-results.json', 'published/all-rows/ci-artifacts.json']) {
  record(`providers-json-${path.basename(path.dirname(relative))}-${path.basename(relative, '.json')}`,
    'providers', ['--json', '--metadata', relative],
    { stdout: providersHarness(relative, { json: true }), exit: 0 },
    'reference summariseProviderResults, JSON.stringify(summary, null, 2)');
}

fs.writeFileSync(path.join(here, 'cases.json'), `${JSON.stringify(cases, null, 2)}\n`);
console.log(`${cases.length} cases written`);
