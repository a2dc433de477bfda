declare module 'dynalite' {
  import type { Server } from 'node:http';
  /** `path`: a LevelDB folder (dynalite's on-disk store); absent: in memory. */
  export default function dynalite(options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }): Server;
}
