import type { CliIo } from './io.js';

/**
 * Colour on a stream, by the conventions people expect (https://no-color.org and
 * FORCE_COLOR): NO_COLOR set and non-empty turns it off; FORCE_COLOR (not "0") turns it on;
 * otherwise only a terminal that is not TERM=dumb gets it. Pipes and files get plain text.
 */
export function colourEnabled(io: CliIo, fd: 1 | 2): boolean {
  const noColor = io.env('NO_COLOR');
  if (noColor !== undefined && noColor !== '') return false;
  const force = io.env('FORCE_COLOR');
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  return io.isTty(fd) && io.env('TERM') !== 'dumb';
}

/** SGR wrappers that are the identity when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string): string => text;

const COLOURED: Style = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};
const PLAIN: Style = { enabled: false, bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain };

/** The style for text written to `fd`. */
export function styleFor(io: CliIo, fd: 1 | 2): Style {
  return colourEnabled(io, fd) ? COLOURED : PLAIN;
}
