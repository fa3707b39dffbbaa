import { Counter, type Registry } from 'prom-client';

/** One counter series: the hot path adds to `value`; the scrape hands the difference to prom-client. */
export class CounterCell {
  value = 0;
  flushed = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
}

/**
 * A prom-client `Counter` fed from {@link CounterCell}s: counting is a property
 * increment, and `collect()` (run by the registry on every scrape) adds each cell's
 * growth since the previous scrape with one `inc` per series.
 */
export class FlushedCounter {
  private readonly cells: CounterCell[] = [];
  readonly counter: Counter<string>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    const cells = this.cells;
    this.counter = new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter<string>) {
        for (const cell of cells) {
          const delta = cell.value - cell.flushed;
          if (delta > 0) {
            this.inc(cell.labels, delta);
            cell.flushed = cell.value;
          }
        }
      },
    });
  }

  cell(labels: Record<string, string>): CounterCell {
    const cell = new CounterCell(Object.freeze({ ...labels }));
    this.cells.push(cell);
    return cell;
  }
}
