// The shell's preload list (ui/index.html) against the annotation view's module graph: every
// module that app.js and views/annotate.js import statically, at any depth, is named by a
// `<link rel="modulepreload">`, so the browser asks for all of them with the page instead of one
// level of imports after another (bench/README.md, "UI"); and nothing else is, so the list cannot
// go stale the other way. Dynamic `import()`s (the other screens, the bulk view) stay lazy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = join(dirname(fileURLToPath(import.meta.url)), '../../../ui');
const STATIC_IMPORT = /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm;

/** The modules `roots` import statically, at any depth, as paths from ui/ (roots included). */
function closure(roots) {
  const seen = new Set();
  const walk = (/** @type {string} */ file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(UI, file), 'utf8');
    for (const m of source.matchAll(STATIC_IMPORT)) walk(posix.normalize(posix.join(posix.dirname(file), m[1] || m[2])));
  };
  roots.forEach(walk);
  return seen;
}

const html = readFileSync(join(UI, 'index.html'), 'utf8');
const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/([^"]+)">/g)].map((m) => m[1]);

test('the shell preloads every module of the annotation view, and only those', () => {
  const wanted = closure(['js/app.js', 'js/views/annotate.js']);
  wanted.delete('js/app.js'); // the page's own script tag asks for it
  const missing = [...wanted].filter((f) => !preloaded.includes(f)).sort();
  const extra = preloaded.filter((f) => !wanted.has(f)).sort();
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module is named twice');
});

test('the import scan sees what the modules import', () => {
  // Guards the scan itself: the annotation view's editors and the queue's filters are reached.
  const wanted = closure(['js/views/annotate.js']);
  for (const f of ['js/views/annotate/editors/marks.js', 'js/lib/filters.js', 'js/api.js']) assert.ok(wanted.has(f), f);
  assert.ok(!wanted.has('js/views/annotate/bulk-flow.js'), 'the bulk view is imported dynamically');
});
