/**
 * A handler that holds every call until `open()`: the test sees how many run at
 * once (`running`, `mostRunning`) and how many finished (`handled`).
 */
export class GatedHandler {
  running = 0;
  mostRunning = 0;
  handled = 0;
  readonly open: () => void;
  private readonly gate: Promise<void>;

  constructor() {
    let open = (): void => {};
    this.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.open = open;
  }

  readonly handle = async (): Promise<void> => {
    this.mostRunning = Math.max(this.mostRunning, ++this.running);
    await this.gate;
    this.running--;
    this.handled++;
  };
}
