// Shared by the browser tests: Debian's chromium, headless, with the flags these tests need on a
// machine without a sandbox, GPU or network (Playwright gives every launch a fresh temporary
// profile, its own --user-data-dir).
import { chromium } from 'playwright-core';

/** The chromium binary: $CHROMIUM, or Debian's. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Launches a headless chromium for a test file. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
}
