// Search matches marked in a rendered record: what the search text asks for (its words and
// phrases, read like the server's simple query string, negations left out), where those occur in
// a text (whole words, compared the way the text index folds them: lowercase, no diacritics; a
// `word*` as a prefix), and the marking itself, which walks the text nodes of an element and
// wraps each match in `<mark class="search-hit">`. HTML is never rebuilt from strings, so the
// server's sanitised markdown stays as it came. A phrase is found within one text node (not
// across formatting). Works on any DOM-like tree, so `node --test` covers it with a small fake.

/** A word or a phrase to find: folded words in order; the last may be a prefix. @typedef {{words: string[], prefix: boolean}} Needle */

/** Lowercase, without diacritics: as the text index compares (loam_domain::query::fold_text). @param {string} text */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/** The words of `text` with where each starts and ends. @param {string} text */
function words(text) {
  return [...text.matchAll(WORD)].map((m) => ({ word: fold(m[0]), start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/**
 * The words and phrases a search text asks for. Operators (`|`, `(`, `)`, `+`) separate; `-word`
 * and `-"a phrase"` are left out (they exclude); `~N` is ignored as the server ignores it.
 * @param {string} q
 * @returns {Needle[]}
 */
export function needles(q) {
  /** @type {Needle[]} */
  const res = [];
  const token = /(-?)"([^"]*)"(?:~\d*)?|(-?)([^\s|()"+]+)/g;
  for (const m of q.matchAll(token)) {
    const negated = (m[1] || m[3]) === '-';
    if (negated) continue;
    const raw = m[2] !== undefined ? m[2] : m[4].replace(/~.*$/, '');
    const prefix = m[2] === undefined && raw.endsWith('*');
    const ws = words(raw.replace(/\*+$/, '')).map((it) => it.word);
    if (ws.length) res.push({ words: ws, prefix });
  }
  return res;
}

/**
 * Where `needles` occur in `text`, as sorted, non-overlapping [start, end) ranges of UTF-16 units.
 * @param {string} text @param {Needle[]} found
 * @returns {[number, number][]}
 */
export function matchRanges(text, found) {
  if (!found.length) return [];
  const ws = words(text);
  /** @type {[number, number][]} */
  const hits = [];
  for (let i = 0; i < ws.length; i++) {
    for (const n of found) {
      const last = n.words.length - 1;
      if (i + last >= ws.length) continue;
      const ok = n.words.every((w, k) => (k === last && n.prefix ? ws[i + k].word.startsWith(w) : ws[i + k].word === w));
      if (ok) hits.push([ws[i].start, ws[i + last].end]);
    }
  }
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  /** @type {[number, number][]} */
  const res = [];
  for (const h of hits) {
    const prev = res[res.length - 1];
    if (prev && h[0] < prev[1]) prev[1] = Math.max(prev[1], h[1]);
    else res.push([h[0], h[1]]);
  }
  return res;
}

/**
 * The DOM a highlight needs (a browser's `Node`s satisfy it).
 * @typedef {{nodeType: number, nodeValue: string|null, nodeName: string, childNodes: ArrayLike<HNode>,
 *   parentNode: HNode|null, ownerDocument: any, insertBefore: (n: any, ref: any) => any,
 *   removeChild: (n: any) => any, className?: string}} HNode
 */

const SKIP = new Set(['SCRIPT', 'STYLE', 'TEXTAREA', 'INPUT', 'SELECT', 'BUTTON']);

/**
 * Wraps every match of the search text `q` in the text under `root` in `<mark class="search-hit">`;
 * returns how many marks it made. Text inside marks it made before is not marked again.
 * @param {HNode} root @param {string} q
 */
export function highlight(root, q) {
  const found = needles(q);
  if (!found.length) return 0;
  /** @type {HNode[]} */
  const texts = [];
  /** @param {HNode} node */
  const walk = (node) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) texts.push(child);
      else if (child.nodeType === 1 && !SKIP.has(child.nodeName.toUpperCase()) && child.className !== 'search-hit') walk(child);
    }
  };
  walk(root);
  let made = 0;
  for (const node of texts) {
    const text = node.nodeValue || '';
    const ranges = matchRanges(text, found);
    if (!ranges.length || !node.parentNode) continue;
    const doc = node.ownerDocument;
    const parent = node.parentNode;
    let at = 0;
    for (const [start, end] of ranges) {
      if (start > at) parent.insertBefore(doc.createTextNode(text.slice(at, start)), node);
      const mark = doc.createElement('mark');
      mark.className = 'search-hit';
      mark.appendChild(doc.createTextNode(text.slice(start, end)));
      parent.insertBefore(mark, node);
      made += 1;
      at = end;
    }
    if (at < text.length) parent.insertBefore(doc.createTextNode(text.slice(at)), node);
    parent.removeChild(node);
  }
  return made;
}
