export { type AttOptions, formatAtt, hexAddress } from './att.js';
export { formatIntel, type IntelOptions } from './intel.js';
export { registerName } from './registers.js';
export { type ListEntry, type ListOptions, listElf, listElfEntries } from './lister.js';
