// Reads the suites' machine-readable reports and prints per-suite counts, every skip with its
// reason, and one closing line "N passed, N failed, N skipped". Exits 1 if any test failed or a
// suite produced no report.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'build/test-results';
const suites = [];
const skips = [];
const failures = [];
/** Terminal colour codes, which the reports keep in their messages. */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** The first line of a failure message, short enough for CI's last lines. */
const firstLine = (text) =>
  String(text ?? '')
    .replace(COLOUR, '')
    .split('\n')
    .find((l) => l.trim()) ?? '';
const brief = (text) => firstLine(text).trim().slice(0, 300);

function vitest(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of r.testResults ?? [])
    for (const t of f.assertionResults ?? [])
      if (t.status === 'skipped' || t.status === 'pending') skips.push(`unit: ${t.fullName}`);
      else if (t.status === 'failed')
        failures.push(
          `unit: ${path.relative(process.cwd(), f.name)}: ${t.fullName}: ${brief(t.failureMessages?.[0])}`,
        );
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + (r.numTodoTests ?? 0),
  };
}

function junit(file) {
  const xml = readFileSync(file, 'utf8');
  const attr = (name) =>
    [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
  for (const m of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>\s*<skipped[^>]*message="([^"]*)"/g))
    skips.push(`python: ${m[1]}: ${m[2]}`);
  for (const m of xml.matchAll(
    /<testcase [^>]*classname="([^"]*)"[^>]*name="([^"]+)"[^>]*>\s*<(failure|error)[^>]*message="([^"]*)"/g,
  ))
    failures.push(`python: ${m[1]}::${m[2]}: ${brief(m[4])}`);
  const tests = attr('tests');
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  return { passed: tests - failed - skipped, failed, skipped };
}

function playwright(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'unexpected' || t.status === 'flaky') {
          const error = t.results?.find((r) => r.error)?.error?.message;
          failures.push(`e2e: ${spec.file}: ${spec.title}: ${brief(error)}`);
        } else if (t.status === 'skipped') {
          const reason = t.annotations?.find((a) => a.type === 'skip')?.description ?? 'skipped';
          skips.push(`e2e: ${spec.title}: ${reason}`);
        }
    for (const s of suite.suites ?? []) walk(s);
  };
  (r.suites ?? []).forEach(walk);
  const s = r.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
}

let missing = false;
for (const [name, file, read] of [
  ['unit (vitest)', 'vitest.json', vitest],
  ['python (pytest)', 'pytest.xml', junit],
  ['e2e (playwright)', 'playwright.json', playwright],
]) {
  const full = path.join(dir, file);
  if (!existsSync(full)) {
    console.log(`${name}: no report (suite did not run)`);
    missing = true;
    continue;
  }
  const counts = read(full);
  suites.push(counts);
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}
for (const s of skips) console.log(`  skipped — ${s}`);
for (const f of failures) console.log(`  FAILED — ${f}`);
const total = (k) => suites.reduce((sum, s) => sum + s[k], 0);
console.log(`all suites: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`);
process.exit(total('failed') > 0 || missing ? 1 : 0);
