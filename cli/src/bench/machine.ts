import { cpus, totalmem } from 'node:os';

/** The machine a benchmark ran on, as every report states it. */
export interface Machine { cpus: number; cpu: string; memoryGiB: number; node: string; platform: string; browser: string }

/** This machine, with the browser's version string (`Browser.getVersion`'s `product`). */
export function machineOf(browser: string): Machine {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    browser,
  };
}
