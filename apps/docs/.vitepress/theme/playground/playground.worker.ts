import { BUNDLED, type RunOutcome, runProgram } from './machine.js';

/*
 * The machine runs here, off the page's main thread: a long guest program keeps only this
 * worker busy, and the page stops it by terminating the worker. The page's own bundle stays
 * free of the machine: even the list of bundled programs comes from here.
 */

/** A bundled program as the page lists it. */
export interface ProgramInfo {
  id: string;
  title: string;
  description: string;
  source: string;
}

export type WorkerRequest =
  | { kind: 'run-bundled'; program: string; args: string[]; maxInstructions: number }
  | { kind: 'run-upload'; name: string; image: Uint8Array; args: string[]; maxInstructions: number };

export type WorkerReply =
  | { kind: 'ready'; programs: ProgramInfo[] }
  | { kind: 'result'; outcome: RunOutcome }
  | { kind: 'failed'; error: string };

const post = (reply: WorkerReply): void => self.postMessage(reply);

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  try {
    if (req.kind === 'run-bundled') {
      const bundled = BUNDLED.find((p) => p.id === req.program);
      if (!bundled) throw new Error(`no bundled program '${req.program}'`);
      post({
        kind: 'result',
        outcome: await runProgram({
          name: bundled.id,
          image: bundled.build(),
          args: req.args,
          maxInstructions: req.maxInstructions,
        }),
      });
    } else {
      post({
        kind: 'result',
        outcome: await runProgram({
          name: req.name,
          image: req.image,
          args: req.args,
          maxInstructions: req.maxInstructions,
        }),
      });
    }
  } catch (e) {
    // the CLI turns user errors into status 125 and a line on stderr; this is anything else
    post({ kind: 'failed', error: e instanceof Error ? e.message : String(e) });
  }
};

post({
  kind: 'ready',
  programs: BUNDLED.map(({ id, title, description, source }) => ({ id, title, description, source })),
});
