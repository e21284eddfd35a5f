// Progress of a long run for a person: a bar redrawn in place on a terminal (done of total, rate, time
// left), or, when stderr is not a terminal or --no-progress is given, a plain line at each tenth.
import type { Terminal } from '../terminal.js';
import { count, duration } from './format.js';

export interface Progress {
  update(done: number, total: number): void;
  /** Ends the bar's line (a terminal) so what follows starts on its own line. */
  end(): void;
}

const WIDTH = 30;

export function progress(term: Terminal, label: string, bar: boolean): Progress {
  const started = term.now().getTime();
  let lastTenth = -1;
  let drawn = false;
  const figures = (done: number, total: number): { rate: string; left: string } => {
    const seconds = (term.now().getTime() - started) / 1000;
    const perSecond = seconds > 0 ? done / seconds : 0;
    const left = done >= total ? '0s' : perSecond > 0 ? duration((total - done) / perSecond) : '?';
    return { rate: perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1), left };
  };
  return {
    update(done, total) {
      const { rate, left } = figures(done, total);
      if (bar) {
        const filled = total === 0 ? WIDTH : Math.min(WIDTH, Math.round((done / total) * WIDTH));
        term.redraw(`${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${count(done)}/${count(total)} groups  ${rate}/s  ETA ${left}`);
        drawn = true;
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      term.err(`${label}: ${count(done)} of ${count(total)} groups done (${rate}/s, ${left} left)`);
    },
    end() {
      if (drawn) term.redraw('');
      drawn = false;
    },
  };
}
