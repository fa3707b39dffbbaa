import { OTHER_TYPE_LABEL } from './options.js';
import type { TypeSeries } from './type-series.js';

/**
 * Event type → its series, with a cap on distinct labels: the first `maxTypes` types
 * get their own `type` label, every later one (and a type literally named "other")
 * shares the `"other"` series. Folded types are not remembered, so memory stays
 * bounded however many types arrive.
 */
export class TypeTable {
  private readonly byType = new Map<string, TypeSeries>();
  private other: TypeSeries | undefined;
  // The last lookup: consecutive events of one type skip the Map.
  private lastType: string | undefined;
  private lastSeries: TypeSeries | undefined;

  constructor(
    private readonly maxTypes: number,
    private readonly create: (label: string) => TypeSeries,
  ) {}

  get(type: string): TypeSeries {
    if (type === this.lastType) return this.lastSeries!;
    let series = this.byType.get(type);
    if (series === undefined) {
      if (type === OTHER_TYPE_LABEL || this.byType.size >= this.maxTypes) {
        series = this.other ??= this.create(OTHER_TYPE_LABEL);
      } else {
        series = this.create(type);
        this.byType.set(type, series);
      }
    }
    this.lastType = type;
    this.lastSeries = series;
    return series;
  }

  /** The series a type is counted under, without creating one. */
  find(type: string): TypeSeries | undefined {
    if (type === OTHER_TYPE_LABEL) return this.other;
    return this.byType.get(type) ?? (this.byType.size >= this.maxTypes ? this.other : undefined);
  }

  *all(): IterableIterator<TypeSeries> {
    yield* this.byType.values();
    if (this.other !== undefined) yield this.other;
  }
}
