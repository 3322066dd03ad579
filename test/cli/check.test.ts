// `tierc check` on inputs a user gets wrong: several errors in different phases, a binary file,
// an empty path.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const folder = mkdtempSync(join(tmpdir(), 'tierc-check-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const errorsFolder = join(import.meta.dirname, '..', 'errors');

describe('check across phases', () => {
  it('reports syntax, setting and shape errors in one run', async () => {
    const io = captureIo(errorsFolder);
    const code = await run(['check', 'phases_all_reported.tier'], io);
    const text = io.err.join('');
    expect(code).toBe(1);
    expect(text).toContain('error TIER1006');
    expect(text).toContain('error TIER2003');
    expect(text).toContain('error TIER3002');
    expect(text).toContain('Checked 1 file: 3 errors.');
  });

  it('prints all phases as JSON with --json', async () => {
    const io = captureIo(errorsFolder);
    await run(['check', '--json', 'phases_all_reported.tier'], io);
    const codes = (JSON.parse(io.out.join('')) as Array<{ code: string }>).map((diagnostic) => diagnostic.code);
    expect(codes).toEqual(['TIER1006', 'TIER2003', 'TIER3002']);
  });
});

describe('check on files that are not specs', () => {
  it('names a binary file instead of echoing its bytes', async () => {
    const file = join(folder, 'program.tier');
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00]));
    const io = captureIo(folder);
    const code = await run(['check', 'program.tier'], io);
    const text = io.err.join('');
    expect(code).toBe(1);
    expect(text).toContain("Spec file 'program.tier' is not a text .tier file");
    expect(text).not.toContain('ELF');
    expect(text).not.toContain('TIER1001');
  });

  it('names a file with NUL bytes that is valid UTF-8', async () => {
    writeFileSync(join(folder, 'zeros.tier'), Buffer.alloc(64));
    const io = captureIo(folder);
    expect(await run(['check', 'zeros.tier'], io)).toBe(1);
    expect(io.err.join('')).toContain("'zeros.tier' is not a text .tier file: it contains a NUL byte at character 0.");
  });

  it('reads a spec that starts with a byte order mark', async () => {
    const spec = readFileSync(join(errorsFolder, '..', '..', 'specs', 'phantom_small.tier'));
    writeFileSync(join(folder, 'bom.tier'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), spec]));
    const io = captureIo(folder);
    expect(await run(['check', 'bom.tier'], io)).toBe(0);
  });

  it('says the path is empty', async () => {
    const io = captureIo(folder);
    expect(await run(['check', ''], io)).toBe(1);
    expect(io.err.join('')).toContain('The spec path is empty; give the path of a .tier file.');
    expect(io.err.join('')).not.toContain('folder');
  });
});

describe('json output', () => {
  it('check keeps --format json as an alias', async () => {
    const viaJson = captureIo(errorsFolder);
    const viaFormat = captureIo(errorsFolder);
    await run(['check', '--json', 'phases_all_reported.tier'], viaJson);
    await run(['check', '--format', 'json', 'phases_all_reported.tier'], viaFormat);
    expect(viaFormat.out.join('')).toBe(viaJson.out.join(''));
  });

  it('fmt --check --json lists changed files', async () => {
    writeFileSync(join(folder, 'messy.tier'), 'model   m {\n}\n');
    const io = captureIo(folder);
    expect(await run(['fmt', '--check', '--json', 'messy.tier'], io)).toBe(1);
    expect(JSON.parse(io.out.join(''))).toEqual({ files: 1, changed: ['messy.tier'] });
  });

  it('fmt --json needs --check or --write', async () => {
    const io = captureIo(folder);
    expect(await run(['fmt', '--json', 'messy.tier'], io)).toBe(2);
    expect(io.err.join('')).toContain('--json lists the changed files of --check or --write');
  });
});

describe('fmt on a binary file', () => {
  it('says it is not a text file', async () => {
    writeFileSync(join(folder, 'image.tier'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]));
    const io = captureIo(folder);
    expect(await run(['fmt', 'image.tier'], io)).toBe(1);
    expect(io.err.join('')).toContain("cannot read 'image.tier' (not a text .tier file: its bytes are not valid UTF-8)");
  });
});
