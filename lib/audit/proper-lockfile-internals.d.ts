// proper-lockfile's record of the locks this process holds, which its refresh timer checks
// (lib/lockfile.js `getLocks`, lib/mtime-precision.js `getMtime`; proper-lockfile 4.1)
declare module 'proper-lockfile/lib/lockfile.js' {
  interface HeldLock {
    lockfilePath: string;
    mtime: Date;
    mtimePrecision: 's' | 'ms';
    lastUpdate: number;
    released?: boolean;
  }
  const lockfile: { getLocks(): Record<string, HeldLock> };
  export default lockfile;
}

declare module 'proper-lockfile/lib/mtime-precision.js' {
  const mtimePrecision: { getMtime(precision: 's' | 'ms'): Date };
  export default mtimePrecision;
}
