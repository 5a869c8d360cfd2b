// How Baton's tests and benches start a browser: Debian's Chromium, never a downloaded browser build.
// Plain JavaScript so the test runner's config (run by Node as it is) and the benches (TypeScript
// through tsx) share it.

/** Playwright launch options for Debian's Chromium (`CHROME_PATH` overrides where it is). */
export const chromiumLaunchOptions = () => ({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
