export { type AttOptions, formatAtt, hexAddress } from './att.js';
export { registerName } from './registers.js';
export { type ListOptions, listElf } from './lister.js';
