import { ValidationError } from '@herald/core';

/** What a conformance case receives while it runs. */
export interface CaseContext {
  /** The case's name, as the runner shows it. */
  readonly name: string;
  /** Ends the running case as skipped, e.g. when the bus lacks a capability the case needs. */
  skip(reason: string): never;
}

export type CaseBody = (ctx: CaseContext) => Promise<void> | void;

/** Registers one case: `it(name, body, timeoutMs?)`, and `it.skipIf(condition, reason)(…)` for a case that cannot run here. */
export interface CaseFn {
  (name: string, body: CaseBody, timeoutMs?: number): void;
  skipIf(condition: boolean, reason: string): (name: string, body: CaseBody, timeoutMs?: number) => void;
}

export interface ConformanceCase {
  /** The group (`describe` block) the case belongs to; undefined for a case directly in the suite. */
  readonly group: string | undefined;
  readonly name: string;
  readonly body: CaseBody;
  readonly timeoutMs: number | undefined;
  /** Why the case cannot run with the options given; the runner reports it as skipped. */
  readonly skipReason: string | undefined;
}

/** Thrown by `CaseContext.skip`: the case ends, and the runner is told it was skipped. */
export class CaseSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CaseSkipped';
  }
}

/**
 * Collects the cases of a conformance suite, grouped as the case files declare
 * them (`describe(group, …)` and `it(name, …)`), before any runner sees them: the
 * suite then picks the cases `only` names and hands just those to the runner.
 */
export class CaseRegistry {
  readonly cases: ConformanceCase[] = [];
  private group: string | undefined;

  readonly describe = (group: string, register: () => void): void => {
    if (this.group !== undefined) throw new Error(`conformance groups do not nest ("${group}" inside "${this.group}")`);
    this.group = group;
    try {
      register();
    } finally {
      this.group = undefined;
    }
  };

  readonly it: CaseFn = Object.assign(
    (name: string, body: CaseBody, timeoutMs?: number) => this.add(name, body, timeoutMs, undefined),
    {
      skipIf:
        (condition: boolean, reason: string) =>
        (name: string, body: CaseBody, timeoutMs?: number) =>
          this.add(name, body, timeoutMs, condition ? reason : undefined),
    },
  );

  /** The group names, in registration order. */
  groups(): string[] {
    return [...new Set(this.cases.flatMap((c) => (c.group === undefined ? [] : [c.group])))];
  }

  /**
   * The cases `only` selects: every case when `only` is undefined; otherwise the
   * cases whose name, or whose group's name, is listed. A listed name that is
   * neither is a ValidationError, so a renamed case cannot leave a file running nothing.
   */
  select(only: readonly string[] | undefined): ConformanceCase[] {
    if (only === undefined) return this.cases;
    const groups = this.groups();
    // A suite without groups (snapshot store, inbox) is chosen from by case name.
    const names = groups.length > 0 ? `the groups are ${list(groups)}` : `the cases are ${list(this.cases.map((c) => c.name))}`;
    if (!Array.isArray(only) || only.some((entry) => typeof entry !== 'string')) {
      throw new ValidationError('only', `must be an array of group or case names; ${names}`);
    }
    // An empty list would run nothing and pass: a file that means to run nothing should not exist.
    if (only.length === 0) throw new ValidationError('only', `must name at least one group or case; ${names}`);
    const unknown = only.filter((entry) => !groups.includes(entry) && !this.cases.some((c) => c.name === entry));
    if (unknown.length > 0) {
      throw new ValidationError('only', `no case or group is named ${list(unknown)}; ${names}`);
    }
    const wanted = new Set(only);
    return this.cases.filter((c) => wanted.has(c.name) || (c.group !== undefined && wanted.has(c.group)));
  }

  private add(name: string, body: CaseBody, timeoutMs: number | undefined, skipReason: string | undefined): void {
    if (this.cases.some((c) => c.name === name)) throw new Error(`two conformance cases are named "${name}"`);
    this.cases.push({ group: this.group, name, body, timeoutMs, skipReason });
  }
}

const list = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
