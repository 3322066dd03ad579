// The light command table that `tierc --help` and `--version` use instead of the command modules.
import { Command, Help } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { commandFor, commandTable } from '../../src/cli/commands/index.js';
import { run } from '../../src/cli/run.js';
import { tiercVersion } from '../../src/cli/version.js';
import { captureIo } from './capture.js';

describe('command table', () => {
  for (const entry of commandTable) {
    it(`${entry.name} matches its module`, async () => {
      const program = new Command('tierc');
      (await entry.load()).register(program, { io: captureIo('/'), setExitCode: () => undefined });
      const registered = program.commands.find((command) => command.name() === entry.name);
      expect(registered).toBeDefined();
      expect(registered!.description()).toBe(entry.description);
      expect(new Help().subcommandTerm(registered!)).toBe(entry.term);
    });
  }

  it('finds the command after help', () => {
    expect(commandFor(['help', 'check'])?.name).toBe('check');
    expect(commandFor(['check', 'a.tier'])?.name).toBe('check');
    expect(commandFor(['--help'])).toBeUndefined();
    expect(commandFor(['chek'])).toBeUndefined();
  });
});

describe('help and version without command modules', () => {
  function spyOnLoads() {
    return commandTable.map((entry) => vi.spyOn(entry, 'load'));
  }

  it('--version loads no command', async () => {
    const spies = spyOnLoads();
    const io = captureIo('/');
    expect(await run(['--version'], io)).toBe(0);
    expect(io.out.join('')).toBe(`${tiercVersion()}\n`);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('--help lists every command', async () => {
    const spies = spyOnLoads();
    const io = captureIo('/');
    expect(await run(['--help'], io)).toBe(0);
    const help = io.out.join('');
    for (const entry of commandTable) expect(help).toContain(`  ${entry.term} `);
    expect(help).toContain('help [command]');
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('suggests a close command name', async () => {
    const io = captureIo('/');
    expect(await run(['chek'], io)).toBe(2);
    expect(io.err.join('')).toContain('(Did you mean check?)');
  });

  it('help NAME shows that command', async () => {
    const io = captureIo('/');
    expect(await run(['help', 'check'], io)).toBe(0);
    expect(io.out.join('')).toContain('Usage: tierc check [options] <files...>');
  });
});
