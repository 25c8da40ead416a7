import { setU64 } from '../kernel/uaccess.js';
import type { InodeAttributes } from './inode.js';

/** Size of struct stat on x86-64 (arch/x86/include/uapi/asm/stat.h). */
export const STAT_SIZE = 144;

/** struct stat for `a`: the layout cp_new_stat() fills. */
export function fillStat(a: InodeAttributes): Uint8Array {
  const st = new Uint8Array(STAT_SIZE);
  const v = new DataView(st.buffer);
  setU64(v, 0, a.dev); // st_dev
  setU64(v, 8, a.ino); // st_ino
  setU64(v, 16, a.nlink); // st_nlink
  v.setUint32(24, a.mode, true); // st_mode
  v.setUint32(28, a.uid, true); // st_uid
  v.setUint32(32, a.gid, true); // st_gid
  setU64(v, 40, a.rdev); // st_rdev
  setU64(v, 48, a.size); // st_size
  setU64(v, 56, 4096); // st_blksize
  setU64(v, 64, a.blocks ?? Math.ceil(a.size / 4096) * 8); // st_blocks
  const sec = Math.floor(a.mtimeNs / 1e9);
  const nsec = a.mtimeNs - sec * 1e9;
  for (const at of [72, 88, 104]) {
    // atime, mtime, ctime: the model keeps one time per file
    setU64(v, at, sec);
    setU64(v, at + 8, nsec);
  }
  return st;
}
