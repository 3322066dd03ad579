import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../src/report/index.js';
import { writeFixtureRun } from '../../report/fixture-run.js';
import { launchChromium, type Browser } from './cdp.js';

const chromium = '/usr/bin/chromium';
const available = existsSync(chromium);
const title = available ? 'report in Chromium' : 'report in Chromium (skipped: /usr/bin/chromium is absent; CI installs it)';

describe.skipIf(!available)(title, () => {
  let dir: string;
  let browser: Browser;
  let images: { width: number; complete: boolean }[];
  let requests: string[];
  let screenshot: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tierc-render-'));
    await writeFixtureRun(path.join(dir, 'run'));
    const page = path.join(dir, 'report.html');
    await writeReport(path.join(dir, 'run'), page);

    browser = launchChromium(chromium);
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await browser.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    await browser.send('Network.enable', {}, sessionId);
    await browser.send('Page.enable', {}, sessionId);
    await browser.send('Emulation.setDeviceMetricsOverride', { width: 1200, height: 2000, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = browser.waitFor('Page.loadEventFired', 30_000);
    await browser.send('Page.navigate', { url: pathToFileURL(page).href }, sessionId);
    await loaded;
    const evaluated = await browser.send(
      'Runtime.evaluate',
      { expression: 'Array.from(document.images).map((image) => ({ width: image.naturalWidth, complete: image.complete }))', returnByValue: true },
      sessionId,
    );
    images = (evaluated.result as { value: { width: number; complete: boolean }[] }).value;
    requests = browser.events.filter((event) => event.method === 'Network.requestWillBeSent').map((event) => String((event.params?.request as { url: string }).url));
    const shot = await browser.send('Page.captureScreenshot', { format: 'png' }, sessionId);
    screenshot = Buffer.from(String(shot.data), 'base64');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes every image', () => {
    // Curves, rank chart and 3 overlays for each of two labels.
    expect(images).toHaveLength(8);
    for (const image of images) {
      expect(image.complete).toBe(true);
      expect(image.width).toBeGreaterThan(0);
    }
  });

  it('requests nothing over the network', () => {
    // The page itself is the one file request; data URIs may or may not be listed.
    expect(requests.filter((url) => url.startsWith('file:'))).toHaveLength(1);
    for (const url of requests) expect(url.startsWith('file:') || url.startsWith('data:')).toBe(true);
  });

  it('renders a page that is not blank', async () => {
    const { data, info } = await sharp(screenshot).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(1200);
    let sum = 0;
    let squares = 0;
    for (const value of data) {
      sum += value;
      squares += value * value;
    }
    const mean = sum / data.length;
    const variance = squares / data.length - mean * mean;
    // A blank white page has variance 0; text, tables and pictures give hundreds.
    expect(variance).toBeGreaterThan(100);
  });
});
