// The Copy buttons of code blocks. The server renders a fenced code block of a markdown field as
// `div.code-block` with a `button.code-copy` above its `pre` (sanitised HTML, inserted as it is);
// one delegated click handler serves every such button on the page, since the
// Content-Security-Policy allows no inline handlers.

/** Installs the handler on `root` (the document), once. @param {Document} root */
export function installCodeCopy(root) {
  root.addEventListener('click', (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest('button.code-copy') : null;
    const pre = button?.closest('.code-block')?.querySelector('pre');
    if (!(button instanceof HTMLButtonElement) || !pre) return;
    ev.preventDefault();
    void copyText(pre).then((ok) => flash(button, ok ? 'Copied' : 'Select and copy'));
  });
}

/**
 * Copies the text of `pre` to the clipboard: with the Clipboard API where the page may use it,
 * else by selecting the text and asking the browser to copy the selection.
 * @param {HTMLElement} pre
 */
async function copyText(pre) {
  const text = pre.textContent || '';
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = document.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    // Deprecated but still the only way without the Clipboard API; the text stays selected
    // either way, so the person can copy it with their own keys.
    return document.execCommand('copy');
  }
}

/** Shows `text` on the button for a moment. @param {HTMLButtonElement} button @param {string} text */
function flash(button, text) {
  button.textContent = text;
  button.classList.add('done');
  setTimeout(() => {
    button.textContent = 'Copy';
    button.classList.remove('done');
  }, 1500);
}
