/**
 * Opens a run report in a real Chromium (Debian's, installed by `scripts/setup.sh --tests`), records every
 * request the page makes and takes a full-page screenshot.
 */
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface OpenedReport {
  readonly page: Page;
  /** Every URL the page requested, the report's own file:// URL included. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

export async function openReport(file: string, screenshot: string): Promise<OpenedReport> {
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { page, requests, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** True when `file` is a PNG with more than a header in it. */
export function isPng(file: string): boolean {
  const head = readFileSync(file).subarray(0, 8);
  return head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && statSync(file).size > 1000;
}

/**
 * Attribute values in the page that point anywhere but into the page itself or a data: URL. (A script as
 * text: the tests are typed without the DOM library.)
 */
export function outsideReferences(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`
    [...document.querySelectorAll('*')].flatMap((el) =>
      [...el.attributes]
        .filter((a) =>
          (/^(src|href|xlink:href|srcset|action|poster|data)$/i.test(a.name) && !/^\\s*(#|data:)/i.test(a.value)) ||
          /url\\(\\s*['"]?(?!#|data:)/i.test(a.value))
        .map((a) => el.tagName + '[' + a.name + '=' + a.value + ']'))
  `);
}
