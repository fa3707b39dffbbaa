import { Counter, type Registry } from 'prom-client';

/**
 * One counter series: the hot path adds to `cells[index]` (a slot in the type's cells, see
 * type-series.ts); the scrape hands the growth since the previous scrape to prom-client.
 */
export class CounterCell {
  flushed = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    readonly cells: Float64Array,
    readonly index: number,
  ) {}

  get value(): number {
    return this.cells[this.index]!;
  }
}

/**
 * A prom-client `Counter` fed from {@link CounterCell}s: counting is an array increment,
 * and `collect()` (run by the registry on every scrape) adds each cell's growth since the
 * previous scrape with one `inc` per series.
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
          const value = cell.value;
          const delta = value - cell.flushed;
          if (delta > 0) {
            this.inc(cell.labels, delta);
            cell.flushed = value;
          }
        }
      },
    });
  }

  /** A series counted in `cells[index]`. */
  cell(labels: Record<string, string>, cells: Float64Array, index: number): CounterCell {
    const cell = new CounterCell(Object.freeze({ ...labels }), cells, index);
    this.cells.push(cell);
    return cell;
  }
}
