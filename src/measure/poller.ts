/**
 * A probe's polling loop: `tick` every `everyMs` until stop(). A failed tick (its connection lost,
 * say) ends the loop and is thrown by stop(), so it is never an unhandled rejection that kills the
 * process while the operation beside it is still being measured.
 */
export class Poller {
  private running = true;
  private failure: unknown;
  private readonly loop: Promise<void>;

  constructor(tick: () => Promise<void>, everyMs: number) {
    this.loop = (async () => {
      while (this.running) {
        await tick();
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })().catch((err: unknown) => {
      this.failure = err;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.failure) throw this.failure;
  }
}
