// Unit tests of search highlighting (ui/js/lib/highlight.js): what a search text asks for, where
// it matches (whole words, folded like the index, prefixes, phrases), and the marking of text
// nodes in a tree (a small fake DOM here; the browser tests check the real one), which never
// touches elements, attributes or the text around a match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, highlight, matchRanges, needles } from '../../../ui/js/lib/highlight.js';

test('needles: words, phrases and prefixes; negations, operators and fuzziness left out', () => {
  assert.deepEqual(needles('Apples  pears'), [{ words: ['apples'], prefix: false }, { words: ['pears'], prefix: false }]);
  assert.deepEqual(needles('"red apples" -rotten -"bad fruit"'), [{ words: ['red', 'apples'], prefix: false }]);
  assert.deepEqual(needles('(cafe | tea) +milk app* e-mail fuzzy~2'), [
    { words: ['cafe'], prefix: false },
    { words: ['tea'], prefix: false },
    { words: ['milk'], prefix: false },
    { words: ['app'], prefix: true },
    { words: ['e', 'mail'], prefix: false },
    { words: ['fuzzy'], prefix: false },
  ]);
  assert.deepEqual(needles('  | ( ) -x "" '), []);
});

test('matches are whole words, folded like the index (case, diacritics), prefixes and phrases', () => {
  const text = 'Café au lait, CAFE noir; cafeteria. Red apples and red  Apples!';
  const at = (q) => matchRanges(text, needles(q)).map(([s, e]) => text.slice(s, e));
  assert.deepEqual(at('cafe'), ['Café', 'CAFE'], 'not inside "cafeteria"');
  assert.deepEqual(at('café'), ['Café', 'CAFE']);
  assert.deepEqual(at('caf*'), ['Café', 'CAFE', 'cafeteria']);
  assert.deepEqual(at('"red apples"'), ['Red apples', 'red  Apples'], 'a phrase spans the spaces between its words');
  assert.deepEqual(at('red apples'), ['Red', 'apples', 'red', 'Apples'], 'words apart are marked apart');
  assert.deepEqual(at('apples "red apples"'), ['Red apples', 'red  Apples'], 'overlapping hits merge into one mark');
  assert.deepEqual(at('lait -noir'), ['lait']);
  assert.deepEqual(at('tea'), []);
  assert.equal(fold('Ÿ É ñ'), 'y e n');
  // Decomposed accents (NFD input) stay inside the word they belong to.
  const nfd = 'cafe\u0301 time';
  assert.deepEqual(matchRanges(nfd, needles('café')), [[0, 5]]);
});

// ---- a fake DOM with just what highlight() uses --------------------------------------------------
class Node {
  constructor(doc, nodeType, nodeName, nodeValue = null) {
    Object.assign(this, { ownerDocument: doc, nodeType, nodeName, nodeValue, childNodes: [], parentNode: null, className: '' });
  }
  appendChild(n) {
    n.parentNode = this;
    this.childNodes.push(n);
    return n;
  }
  insertBefore(n, ref) {
    n.parentNode = this;
    this.childNodes.splice(this.childNodes.indexOf(ref), 0, n);
    return n;
  }
  removeChild(n) {
    this.childNodes.splice(this.childNodes.indexOf(n), 1);
    n.parentNode = null;
    return n;
  }
}
const doc = {
  createTextNode: (text) => new Node(doc, 3, '#text', text),
  createElement: (tag) => new Node(doc, 1, tag.toUpperCase()),
};
const el = (tag, attrs, ...children) => {
  const n = doc.createElement(tag);
  Object.assign(n, attrs || {});
  for (const c of children) n.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
  return n;
};
const html = (n) =>
  n.nodeType === 3
    ? n.nodeValue
    : `<${n.nodeName.toLowerCase()}${n.className ? ` class="${n.className}"` : ''}${n.href ? ` href="${n.href}"` : ''}>${n.childNodes.map(html).join('')}</${n.nodeName.toLowerCase()}>`;

test('highlight marks matches in every text node, keeps elements and attributes, skips controls', () => {
  const root = el(
    'div',
    null,
    el('p', null, 'An apple a day; ', el('strong', null, 'Apples'), ' again.'),
    el('a', { href: 'https://apple.example/apple' }, 'apple link'),
    el('pre', null, el('code', null, 'apple = 1')),
    el('button', null, 'apple'),
  );
  assert.equal(highlight(root, 'apple*'), 4);
  assert.equal(
    html(root),
    '<div><p>An <mark class="search-hit">apple</mark> a day; <strong><mark class="search-hit">Apples</mark></strong> again.</p>' +
      '<a href="https://apple.example/apple"><mark class="search-hit">apple</mark> link</a>' +
      '<pre><code><mark class="search-hit">apple</mark> = 1</code></pre><button>apple</button></div>',
  );
  // Run again (a re-render of the same element): nothing is marked twice.
  assert.equal(highlight(root, 'apple*'), 0);
  // No terms, or nothing matching: the tree is untouched.
  const plain = el('p', null, 'pears only');
  assert.equal(highlight(plain, '-pears'), 0);
  assert.equal(highlight(plain, 'apples'), 0);
  assert.equal(html(plain), '<p>pears only</p>');
});

test('text that looks like markup is only ever text', () => {
  const root = el('p', null, '<b>apple</b> & <i>');
  highlight(root, 'apple');
  assert.equal(root.childNodes.length, 3);
  assert.deepEqual(root.childNodes.map((n) => n.nodeValue ?? `[${n.childNodes[0].nodeValue}]`), ['<b>', '[apple]', '</b> & <i>']);
});
