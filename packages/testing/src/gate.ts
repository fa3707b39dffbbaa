/**
 * A latch a test opens by hand: handlers `await gate.wait()` to stay in flight
 * until the test calls `open()`. Once open it stays open.
 */
export class Gate {
  private opened = false;
  private readonly promise: Promise<void>;
  private release!: () => void;

  constructor() {
    this.promise = new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  get isOpen(): boolean {
    return this.opened;
  }

  wait(): Promise<void> {
    return this.promise;
  }

  open(): void {
    this.opened = true;
    this.release();
  }
}
