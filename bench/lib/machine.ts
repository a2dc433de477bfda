import { cpus, totalmem } from 'node:os';

export function machine() {
  const c = cpus();
  return { cpuModel: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, platform: `${process.platform} ${process.arch}` };
}
