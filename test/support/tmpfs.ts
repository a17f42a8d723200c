/**
 * Small file systems of their own for fault tests: a tmpfs of a few megabytes fills up in a
 * moment and can be remounted read-only, without touching the machine's real disks. Needs root
 * (CI runs as root); elsewhere `mountTmpfs` says why it cannot, and the test skips with that.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';

export interface Tmpfs {
  dir: string;
  /** Remounts read-only (`ro: true`) or read-write. */
  remount(options: { ro: boolean }): void;
  /** Unmounts; safe to call twice, and lazy so a process still holding a file cannot block it. */
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMb` at `dir`, or returns why it cannot (not root, no mount). */
export function mountTmpfs(dir: string, sizeMb: number): Tmpfs | string {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return `cannot mount a tmpfs at ${dir} (needs root): ${stderr || (error as Error).message}`;
  }
  let mounted = true;
  return {
    dir,
    remount: ({ ro }) => void execFileSync('mount', ['-o', `remount,${ro ? 'ro' : 'rw'}`, dir], { stdio: 'pipe' }),
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    },
  };
}

/**
 * Writes `file` until the file system has no room left (ENOSPC), 1 MB at a time and then 4 KB,
 * so not a block is left over. Returns the bytes written.
 */
export function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

export function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
