// The playground in a real browser: the built site served on localhost, Debian's chromium
// driven by playwright-core, the demo run in the page's worker, its output, pt_regs table and
// kernel-stack picture checked, and a screenshot saved. It never downloads a browser: without
// /usr/bin/chromium (apt-get install chromium) it fails and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(docs, '.vitepress', 'dist');
const chromiumPath = process.env.LEGOSIM_CHROMIUM ?? '/usr/bin/chromium';
const screenshot = join(docs, 'test-results', 'playground.png');
const DEMO_OUTPUT = 'Hello from user mode! This write enters Lego through entry_SYSCALL_64.';

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'cache') continue;
    t = Math.max(t, newest(join(path, e.name)));
  }
  return t;
}

/**
 * Under `pnpm test` turbo builds the site first (apps/docs/turbo.json: test depends on
 * build), so this reuses that build. Run alone, it builds when the page or anything the
 * playground bundles is newer than the built page.
 */
function ensureSiteBuilt(): void {
  const page = join(dist, 'playground.html');
  const repo = resolve(docs, '..', '..');
  const inputs = [
    join(docs, 'playground.md'),
    join(docs, '.vitepress', 'theme'),
    join(docs, '.vitepress', 'config.ts'),
    join(repo, 'apps', 'cli', 'src'),
    ...['x86', 'cpu', 'memory', 'interrupts', 'kernel', 'trace'].map((p) => join(repo, 'packages', p, 'src')),
  ];
  if (existsSync(page) && statSync(page).mtimeMs >= Math.max(...inputs.map(newest))) return;
  console.log('playground e2e: building the site (pnpm run build)…');
  const r = spawnSync('pnpm', ['run', 'build'], { cwd: docs, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`the docs build failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A static server for the built site, with VitePress's clean URLs (/playground → playground.html). */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (path !== root && !path.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    else if (!existsSync(path) && existsSync(`${path}.html`)) path = `${path}.html`;
    if (!existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

describe('the playground in chromium', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium), ` +
          'or point LEGOSIM_CHROMIUM at a Chromium binary. This test never downloads a browser.',
      );
    }
    ensureSiteBuilt();
    server = await serve(dist);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  const cell = (table: string, attr: string, name: string) =>
    page.locator(`${table} tr[${attr}="${name}"] td`).nth(2);

  it('runs the demo and shows its output, strace, timeline and pt_regs', async () => {
    await page.goto(`${base}/playground`);
    const run = page.locator('#pg-run');
    await expect.poll(() => run.textContent(), { timeout: 30_000 }).toBe('Run');
    await run.click();
    await page.locator('#pg-stdout').waitFor({ timeout: 60_000 });
    expect((await page.locator('#pg-stdout').textContent())?.trim()).toBe(DEMO_OUTPUT);
    expect(await page.locator('#pg-status').textContent()).toContain('exit status 0');

    const strace = (await page.locator('#pg-strace').textContent()) ?? '';
    expect(strace).toContain('write(1, "Hello from user mode!');
    expect(strace).toContain('getpid() = 1');
    expect(strace).toContain('exit_group(0) = ?');
    expect(await page.locator('#pg-timeline rect').count()).toBe(3);

    // pt_regs as do_syscall_64 saw it for write(1, buf, 71)
    expect(await cell('#pg-ptregs', 'data-field', 'cs').textContent()).toBe('0x33');
    expect(await cell('#pg-ptregs', 'data-field', 'ss').textContent()).toBe('0x2b');
    expect(await cell('#pg-ptregs', 'data-field', 'orig_ax').textContent()).toBe('0x1');
    expect(await cell('#pg-ptregs', 'data-field', 'ax').textContent()).toBe('0xffffffffffffffda');
    expect(await cell('#pg-ptregs', 'data-field', 'dx').textContent()).toBe('0x47');
    expect(await page.locator('#pg-ptregs tbody tr').count()).toBe(21);
  });

  it('steps through entry_SYSCALL_64 and draws the kernel stack as the pushes land', async () => {
    const label = page.locator('#pg-step-label');
    const next = page.locator('#pg-next');
    const slots = page.locator('#pg-stack tbody tr');
    expect(await label.textContent()).toMatch(/^step 1 of \d+$/);
    expect(await page.locator('#pg-current').textContent()).toContain('syscall');
    expect(await page.locator('#pg-cpl').textContent()).toBe('3 → 0');
    expect(await page.locator('#pg-stack-empty').isVisible()).toBe(true);

    await next.click(); // swapgs
    expect(await page.locator('#pg-current').textContent()).toContain('swapgs');
    expect(await page.locator('#pg-gs').textContent()).not.toBe('0x0');
    await next.click(); // mov %rsp,%gs:rsp_scratch
    await next.click(); // mov %gs:cpu_current_top_of_stack,%rsp
    expect(await page.locator('#pg-stack-empty').isVisible()).toBe(true);

    await next.click(); // push $__USER_DS
    expect(await label.textContent()).toMatch(/^step 5 of/);
    expect(await slots.count()).toBe(1);
    expect(await cell('#pg-stack', 'data-label', 'pt_regs->ss (+160)').textContent()).toBe('0x2b');

    await next.click(); // push %gs:rsp_scratch: the user stack pointer
    expect(await slots.count()).toBe(2);
    expect(await cell('#pg-stack', 'data-label', 'pt_regs->sp (+152)').textContent()).toMatch(
      /^0x7fff[0-9a-f]+$/,
    );
    expect(await page.locator('#pg-stack tr.changed').getAttribute('data-label')).toBe('pt_regs->sp (+152)');

    await page.locator('#pg-prev').click();
    expect(await slots.count()).toBe(1);

    // on to do_syscall_64: pt_regs complete, the return address of the call below it
    await page.locator('#pg-instructions tr', { hasText: 'do_syscall_64' }).first().click();
    expect(await page.locator('#pg-current').textContent()).toContain('(native) do_syscall_64');
    expect(await slots.count()).toBe(22);
    expect(await cell('#pg-stack', 'data-label', 'pt_regs->orig_ax (+120)').textContent()).toBe('0x1');
    expect(await cell('#pg-stack', 'data-label', 'pt_regs->cs (+136)').textContent()).toBe('0x33');
    expect(await page.locator('#pg-if').textContent()).toBe('0 → 0');
    expect(await page.locator('#pg-handler').textContent()).toContain('IF inside the handler: 1');

    mkdirSync(dirname(screenshot), { recursive: true });
    // from the top: a full-page shot of a scrolled page draws VitePress's fixed nav mid-page
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`playground screenshot: ${screenshot}`);

    await page.locator('#pg-last').click();
    expect(await page.locator('#pg-current').textContent()).toContain('sysretq');
    expect(await page.locator('#pg-cpl').textContent()).toBe('0 → 3');
    expect(pageErrors).toEqual([]);
  });

  it('runs an uploaded file and shows the one-line error for a bad ELF', async () => {
    await page
      .locator('#pg-file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a program\n') });
    await page.locator('#pg-run').click();
    await expect
      .poll(() => page.locator('#pg-stderr').textContent(), { timeout: 60_000 })
      .toMatch(/^legosim: \/notes\.txt: .+\n$/);
    expect(await page.locator('#pg-status').textContent()).toContain('exit status 125');
    expect(await page.locator('#pg-stdout').textContent()).toBe('');
  });

  it.skipIf(!existsSync('/bin/busybox'))(
    'runs an uploaded static ELF (busybox echo) with its arguments',
    async () => {
      await page.locator('#pg-file').setInputFiles('/bin/busybox');
      await page.locator('#pg-args').fill('echo hello from the page');
      await page.locator('#pg-run').click();
      await expect
        .poll(() => page.locator('#pg-stdout').textContent(), { timeout: 120_000 })
        .toBe('hello from the page\n');
      expect(await page.locator('#pg-status').textContent()).toContain('exit status 0');
      expect(await page.locator('#pg-step-label').textContent()).toMatch(/^step 1 of \d+$/);
      expect(pageErrors).toEqual([]);
    },
  );
});
