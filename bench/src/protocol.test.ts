import { describe, expect, it } from 'vitest';
import { runOnce, WorkerProcess } from './protocol.js';

// A stand-in worker: answers `echo`, fails `boom`, prints noise that is not an answer.
const ECHO = `
const rl = require('node:readline').createInterface({ input: process.stdin });
console.log('some library chatter');
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.cmd === 'exit') { console.log('@@bench {"ok":true}'); process.exit(0); }
  if (msg.cmd === 'boom') { console.log('@@bench ' + JSON.stringify({ error: 'it broke' })); return; }
  if (msg.cmd === 'die') process.exit(3);
  console.log('@@bench ' + JSON.stringify({ echo: msg.value }));
});`;

describe('WorkerProcess', () => {
  it('answers commands one at a time, keeps other output as log, and turns an error answer into a rejection', async () => {
    const w = new WorkerProcess('echo', process.execPath, ['-e', ECHO]);
    expect(await w.request({ cmd: 'echo', value: 41 })).toEqual({ echo: 41 });
    await expect(w.request({ cmd: 'boom' })).rejects.toThrow('echo: it broke');
    expect(await w.request({ cmd: 'echo', value: 'x' })).toEqual({ echo: 'x' });
    expect(w.log).toContain('some library chatter');
    await w.close();
  });
  it('rejects the pending command when the child dies', async () => {
    const w = new WorkerProcess('dies', process.execPath, ['-e', ECHO]);
    await expect(w.request({ cmd: 'die' })).rejects.toThrow(/dies: exited with code 3/);
    await expect(w.request({ cmd: 'echo' })).rejects.toThrow(/exited/);
  });
});

describe('runOnce', () => {
  it('returns the answer of a one-shot child, and fails one that gives none', async () => {
    const r = await runOnce<{ n: number }>('one', process.execPath, ['-e', 'console.log("@@bench {\\"n\\":7}")']);
    expect(r.reply).toEqual({ n: 7 });
    await expect(runOnce('none', process.execPath, ['-e', 'console.error("bad things")'])).rejects.toThrow(/none: .* without an answer\nbad things/);
  });
});
