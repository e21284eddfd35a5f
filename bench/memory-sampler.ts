// Peak memory of the benchmark child's own process: a forced GC first (when --expose-gc), then RSS and heap used
// sampled every `intervalMs` until stop(), which takes one last sample.

export interface MemoryPeaks {
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
}

export function sampleMemory(intervalMs = 25): { stop(): MemoryPeaks } {
  global.gc?.();
  const base = process.memoryUsage();
  const peaks: MemoryPeaks = { baseRss: base.rss, baseHeap: base.heapUsed, peakRss: base.rss, peakHeap: base.heapUsed };
  const sample = (): void => {
    const m = process.memoryUsage();
    peaks.peakRss = Math.max(peaks.peakRss, m.rss);
    peaks.peakHeap = Math.max(peaks.peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...peaks };
    },
  };
}
