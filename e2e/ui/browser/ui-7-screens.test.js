// loam's web UI in a real headless browser, part 7: every screen at 1280×800 and 390×844, with
// screenshots of each (sign-in, home, the annotation view with each question kind, bulk view,
// guidelines and shortcuts panels, settings, users, my settings, insights), and on each: no
// horizontal scrolling of the page and no table cut off by its card. Also what the server's
// markdown renders (issue 19, item 5): highlighted code with a language label and a Copy button
// that copies, math as MathML (bad LaTeX as its source), span labels in distinct colours with
// their names, an action bar that stays on screen, and record and questions scrolling on their own.
// Its own workspace, users and dataset (made here through the API); relies on nothing the other
// files leave, and leaves nothing they read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, browser, opts, setUp, signedIn, tabTo, tearDown, user, PASSWORD } from '../lib/loam-ui.js';

const PYTHON = 'def greet(name):\n    """Say hello."""\n    return f"Hello, {name}!"  # friendly\n\nprint(greet("Ada"), 42)';
const LONG_RUST = `fn main() { let total: u64 = (1..=10).map(|n| n * n).sum(); println!("{}", total); ${'let _x = "a very long line that must scroll inside its own block"; '.repeat(4)}}`;
const PROMPT = [
  '## Review the answer',
  'The loss is $L = -\\sum_i y_i \\log p_i$ and the rate is $\\frac{1}{2}$.',
  `\`\`\`python\n${PYTHON}\n\`\`\``,
  '$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$',
  'A formula that does not parse: $\\frac{a}$.',
  `\`\`\`rust\n${LONG_RUST}\n\`\`\``,
  Array.from({ length: 12 }, (_, i) => `- Step ${i + 1}: check the answer against the task.`).join('\n'),
  `| metric | value | notes |\n| --- | --- | --- |\n| accuracy | 0.93 | ${'measured on the held-out split '.repeat(3)}|`,
].join('\n\n');
const BODY = 'Ada Lovelace wrote to Charles Babbage from London.';
const RANKS = opts('answer-a', 'answer-b', 'answer-c');

/** @type {{ws: any, ds: any, records: any[]}} */
const D = /** @type {any} */ ({});

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'screens-e2e' });
  const owner = await user('shots-owner', 'owner', [ws.id]);
  const ann = await user('shots-ann', 'annotator', [ws.id]);
  const raters = [await user('shots-r1', 'annotator', [ws.id]), await user('shots-r2', 'annotator', [ws.id])];
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'code-review', workspace_id: ws.id, guidelines: '# Guidelines\n\nJudge the code:\n\n```js\nconst ok = answer.runs && answer.isCorrect;\n```' });
  const field = (name, title, settings) => apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name, title, required: true, settings });
  await field('prompt', 'Instruction', { type: 'text', use_markdown: true });
  await field('body', 'Text', { type: 'text', use_markdown: false });
  const q = {};
  const question = async (name, title, settings, required = false) => {
    q[name] = await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name, title, required, settings, description: `How to answer ${title.toLowerCase()}.` });
  };
  await question('verdict', 'Verdict', { type: 'label_selection', options: opts('correct', 'incorrect') }, true);
  await question('issues', 'Issues', { type: 'multi_label_selection', options: opts('style', 'bug', 'security', 'performance') });
  await question('score', 'Score', { type: 'rating', options: [0, 1, 2, 3, 4, 5, 6, 7].map((value) => ({ value })) });
  await question('rank', 'Ranking', { type: 'ranking', options: RANKS });
  await question('fixed', 'Corrected response', { type: 'text', use_markdown: true });
  await question('entities', 'Entities', { type: 'span', field: 'body', options: opts('PER', 'ORG', 'LOC'), allow_overlapping: false });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const answered = (verdict, score) => raters.map((r, i) => ({ user_id: r.id, status: 'submitted', values: { verdict: { value: i ? verdict : 'correct' }, score: { value: score + i } } }));
  const items = [
    { fields: { prompt: PROMPT, body: BODY }, suggestions: [{ question_id: q.verdict.id, value: 'incorrect', score: 0.81, agent: 'judge-v1' }, { question_id: q.score.id, value: 3, agent: 'judge-v1' }] },
    ...[1, 2, 3, 4].map((i) => ({ fields: { prompt: `Task ${i}: \`x = ${i}\``, body: `Record ${i}.` }, responses: answered(i % 2 ? 'incorrect' : 'correct', i) })),
    { fields: { prompt: 'Still to do.', body: 'Pending.' } },
  ];
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=100`)).items;
  // The annotator's draft on the first record labels three spans of its text.
  const at = (s) => ({ start: BODY.indexOf(s), end: BODY.indexOf(s) + s.length });
  const spans = [{ label: 'PER', ...at('Ada Lovelace') }, { label: 'PER', ...at('Charles Babbage') }, { label: 'LOC', ...at('London') }];
  await asUser(ann.username, 'POST', `/api/v1/records/${records[0].id}/responses`, { status: 'draft', values: { entities: { value: spans } } });
  Object.assign(D, { ws, ds, records, owner });
});
after(tearDown);

/** An API call as `username`, signed in with its password. */
async function asUser(username, method, path, body) {
  const signIn = await fetch(`${URL}/api/v1/token`, { method: 'POST', body: new URLSearchParams({ username, password: PASSWORD }) });
  const { access_token: token } = await signIn.json();
  const res = await fetch(URL + path, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.text()}`);
}

const SIZES = [
  { name: '1280', width: 1280, height: 800 },
  { name: '390', width: 390, height: 844 },
];

/** A page at `size`, signed in by keyboard as `username` (or signed out), clipboard allowed. */
async function pageAs(username, size) {
  let page;
  if (username) {
    page = await signedIn(username);
    await page.setViewportSize({ width: size.width, height: size.height });
  } else {
    page = await (await browser.newContext({ viewport: { width: size.width, height: size.height } })).newPage();
    await page.goto(URL + '/');
    await page.waitForSelector('#username');
  }
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: URL });
  return page;
}

/**
 * What would make a screen unusable at this width: the page scrolling sideways, and tables cut
 * off. A table is cut off when its full width (its scrollWidth, or its box when that is wider)
 * is more than the part of it that shows (its box clipped by every ancestor that does not show
 * its overflow). On a phone a table may instead scroll inside a box of its own (overflow auto);
 * from 1024 px up it must show whole, since a scroll bar is often hidden until one scrolls.
 */
function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) problems.push(`page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
    const wide = window.innerWidth >= 1024;
    for (const table of document.querySelectorAll('table')) {
      const el = /** @type {HTMLElement} */ (table);
      if (!el.offsetParent) continue;
      const name = el.closest('[aria-label]')?.getAttribute('aria-label') || el.querySelector('th')?.textContent || 'table';
      const box = el.getBoundingClientRect();
      const full = Math.max(el.scrollWidth, box.width);
      let [left, right] = [box.left, box.left + full];
      let scroller = getComputedStyle(el).overflowX === 'auto' && el.scrollWidth > el.clientWidth + 1;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible') continue;
        const r = a.getBoundingClientRect();
        if (right > r.right + 1 && (style.overflowX === 'auto' || style.overflowX === 'scroll') && right - left > r.width) scroller = true;
        left = Math.max(left, r.left);
        right = Math.min(right, r.right);
      }
      right = Math.min(right, window.innerWidth);
      const shown = right - left;
      if (full > shown + 1 && (wide || !scroller)) problems.push(`${name}: ${Math.round(full)}px wide, ${Math.round(shown)}px shown${scroller ? ' (scrolls)' : ''}`);
    }
    return problems;
  });
}

/** Screenshot `name` at `size`, and the layout checks (every screen, every size). */
async function shoot(page, name, size) {
  await page.screenshot({ path: join(SHOTS, `screen-${name}-${size.name}.png`) });
  assert.deepEqual(await layoutProblems(page), [], `${name} at ${size.width}px`);
}

// The first record: the one with code, math and the annotator's spans (a draft, so not in the
// Pending queue the view opens with).
const annotateUrl = () => `${URL}/datasets/${D.ds.id}/annotate?record=${D.records[0].id}`;

for (const size of SIZES) {
  test(`every screen at ${size.width}×${size.height}: screenshots, no sideways scrolling, no cut-off table`, async () => {
    const out = await pageAs(null, size);
    await shoot(out, 'sign-in', size);
    await out.context().close();

    const page = await pageAs('shots-ann', size);
    await page.waitForSelector('tr[data-name="code-review"]');
    await shoot(page, 'home', size);

    // The annotation view, one screenshot per question kind (scrolled to it, keyboard on it).
    await page.goto(annotateUrl());
    await page.waitForSelector('.question');
    await page.waitForSelector('.markdown .code-block');
    for (const kind of ['label_selection', 'multi_label_selection', 'rating', 'ranking', 'text', 'span']) {
      await page.locator(`.question.q-${kind}`).first().scrollIntoViewIfNeeded();
      await shoot(page, `annotate-${kind.replaceAll('_', '-')}`, size);
    }
    // The panels, by their keys (focus on the form, not in a text box).
    await page.locator('.question.q-label_selection [data-option]').first().focus();
    await page.keyboard.press('g');
    await page.waitForSelector('#guidelines:not([hidden]) .code-block');
    await shoot(page, 'guidelines', size);
    await page.keyboard.press('Escape');
    await page.locator('.question.q-label_selection [data-option]').first().focus();
    await page.keyboard.press('?');
    await page.waitForSelector('#guidelines:not([hidden]) .shortcuts');
    await shoot(page, 'shortcuts', size);
    await page.keyboard.press('Escape');
    await tabTo(page, '#bulk-toggle');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.bulk-list li');
    await shoot(page, 'bulk', size);

    await page.goto(`${URL}/me`);
    await page.waitForSelector('h1:has-text("My settings")');
    await shoot(page, 'me', size);
    await page.context().close();

    const boss = await pageAs('shots-owner', size);
    await boss.waitForSelector('tr[data-name="code-review"]');
    await shoot(boss, 'home-owner', size);
    await boss.goto(`${URL}/datasets/${D.ds.id}/settings`);
    await boss.waitForSelector('#guidelines-input');
    await shoot(boss, 'settings', size);
    await boss.goto(`${URL}/users`);
    await boss.waitForSelector('h1:has-text("Users")');
    await boss.waitForSelector('table');
    await shoot(boss, 'users', size);
    await boss.goto(`${URL}/datasets/${D.ds.id}/insights`);
    await boss.waitForSelector('#agreement [data-question="verdict"] tr.pair');
    await shoot(boss, 'insights', size);
    if (size.width > 900) {
      // Wider, the agreement cards go three abreast: the pair tables must still show whole.
      await boss.setViewportSize({ width: 1400, height: 900 });
      assert.deepEqual(await layoutProblems(boss), [], 'insights at 1400px');
      await boss.setViewportSize({ width: size.width, height: size.height });
    }
    // Further down: the per-question cards with their pair tables.
    await boss.locator('#agreement [data-question="score"]').scrollIntoViewIfNeeded();
    await shoot(boss, 'insights-pairs', size);
    await boss.context().close();
  });
}

test('code blocks are highlighted, labelled and copied; math is MathML; bad LaTeX shows its source', async () => {
  const page = await pageAs('shots-ann', SIZES[0]);
  await page.goto(annotateUrl());
  await page.waitForSelector('.markdown .code-block');
  const blocks = await page.locator('.record .markdown .code-block').evaluateAll((els) =>
    els.map((el) => {
      const pre = /** @type {HTMLElement} */ (el.querySelector('pre'));
      const kw = el.querySelector('.hl-keyword');
      return {
        lang: el.querySelector('.code-lang')?.textContent,
        classes: [...new Set([...el.querySelectorAll('pre span')].map((s) => s.className))].sort(),
        // Highlighting shows: a keyword is not in the block's own text colour.
        kwColour: kw ? getComputedStyle(kw).color : null,
        textColour: getComputedStyle(pre).color,
        scrolls: pre.scrollWidth > pre.clientWidth,
        text: pre.textContent,
      };
    }),
  );
  assert.equal(blocks.length, 2);
  const [py, rs] = blocks;
  assert.equal(py.lang, 'python');
  assert.equal(py.text, PYTHON + '\n');
  for (const cls of ['hl-comment', 'hl-keyword', 'hl-number', 'hl-string']) assert.ok(py.classes.includes(cls), `${cls} in ${py.classes}`);
  assert.notEqual(py.kwColour, py.textColour);
  assert.equal(rs.lang, 'rust');
  assert.ok(rs.scrolls, 'the long line scrolls inside its block');

  // The Copy button, by keyboard: the code lands on the clipboard as it is.
  await tabTo(page, '.record .code-block button.code-copy');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.record .code-copy')?.textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), PYTHON + '\n');

  // Math: MathML elements the browser lays out, inline and as a block; the bad one as text.
  const math = await page.locator('.record .markdown math').evaluateAll((els) =>
    els.map((el) => ({ ns: el.namespaceURI, display: el.getAttribute('display'), height: el.getBoundingClientRect().height, frac: !!el.querySelector('mfrac') })),
  );
  assert.equal(math.length, 3);
  for (const m of math) {
    assert.equal(m.ns, 'http://www.w3.org/1998/Math/MathML');
    assert.ok(m.height > 8, `laid out: ${m.height}px`);
  }
  assert.deepEqual(math.map((m) => m.display), ['inline', 'inline', 'block']);
  assert.ok(math[2].frac);
  assert.equal(await page.locator('.record .math-source').innerText(), '$\\frac{a}$');
  await page.screenshot({ path: join(SHOTS, 'screen-code-and-math-1280.png') });
  await page.context().close();
});

test('span labels have distinct colours and show their names, in the record and the editor', async () => {
  const page = await pageAs('shots-ann', SIZES[0]);
  await page.goto(annotateUrl());
  await page.waitForSelector('.record mark[data-labels]');
  const marks = await page.locator('.record mark[data-labels]').evaluateAll((els) =>
    els.map((el) => ({ text: el.textContent, label: getComputedStyle(el, '::after').content, bg: getComputedStyle(el).backgroundColor })),
  );
  assert.deepEqual(marks.map((m) => [m.text, m.label]), [['Ada Lovelace', '"PER"'], ['Charles Babbage', '"PER"'], ['London', '"LOC"']]);
  assert.equal(marks[0].bg, marks[1].bg, 'one label, one colour');
  assert.notEqual(marks[0].bg, marks[2].bg, 'two labels, two colours');
  const buttons = await page.locator('.q-span [data-option]').evaluateAll((els) => els.map((el) => getComputedStyle(el, '::before').backgroundColor));
  assert.equal(new Set(buttons).size, 3, 'each label button its own colour');
  const listed = await page.locator('.q-span .spans .span-label').evaluateAll((els) => els.map((el) => [el.textContent, getComputedStyle(el).backgroundColor]));
  assert.deepEqual(listed.map(([t]) => t), ['PER', 'PER', 'LOC']);
  assert.equal(listed[0][1], marks[0].bg, 'the editor and the record agree');
  await page.locator('.q-span').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'screen-span-labels-1280.png') });
  await page.context().close();
});

test('the action bar stays on screen; on wide screens record and questions scroll on their own', async () => {
  for (const size of SIZES) {
    const page = await pageAs('shots-ann', size);
    await page.goto(annotateUrl());
    await page.waitForSelector('.question');
    // The record at its full height (its markdown rendered), taller than its pane.
    await page.waitForSelector('.record .markdown .code-block');
    if (size.width > 900) assert.ok(await page.evaluate(() => document.querySelector('.record').scrollHeight > document.querySelector('.record').clientHeight + 100), 'a long record');
    const submitOnScreen = () => page.evaluate(() => {
      const r = /** @type {HTMLElement} */ (document.getElementById('submit')).getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight + 0.5;
    });
    if (size.width > 900) {
      // Nothing scrolled yet: the form is longer than the window and Submit is in view.
      assert.ok(await page.evaluate(() => document.querySelector('.form-wrap').scrollHeight > document.querySelector('.form-wrap').clientHeight), 'a long form');
      assert.ok(await submitOnScreen(), `Submit on screen at ${size.width}px`);
      // The record scrolls without moving the questions, and the other way round.
      const before = await page.evaluate(() => [document.querySelector('.form-wrap').getBoundingClientRect().top, document.querySelector('.question').getBoundingClientRect().top]);
      // The wheel over the field's title (not over a code block or formula, which scroll sideways).
      await page.locator('.record .field h3').first().hover();
      await page.mouse.wheel(0, 600);
      await page.waitForFunction(() => document.querySelector('.record').scrollTop > 0);
      const after = await page.evaluate(() => [document.querySelector('.form-wrap').getBoundingClientRect().top, document.querySelector('.question').getBoundingClientRect().top, window.scrollY]);
      assert.deepEqual(after, [...before, 0]);
      await page.locator('.form-wrap').hover();
      await page.mouse.wheel(0, 2000);
      await page.waitForFunction(() => document.querySelector('.form-wrap').scrollTop > 0);
      assert.ok(await page.evaluate(() => document.querySelector('.record').scrollTop > 0), 'the record kept its place');
      assert.ok(await submitOnScreen());
    } else {
      // A phone: one column; as soon as the questions are reached, Submit is on screen, and stays
      // there all the way down the form.
      for (const kind of ['label_selection', 'rating', 'text']) {
        await page.locator(`.question.q-${kind}`).first().scrollIntoViewIfNeeded();
        assert.ok(await submitOnScreen(), `Submit on screen with ${kind} in view`);
      }
    }
    await page.screenshot({ path: join(SHOTS, `screen-action-bar-${size.name}.png`) });
    await page.context().close();
  }
});
