import type { TcpProxy } from './tcp-proxy.js';

/**
 * For a publish-window test behind a blackholed TcpProxy: counts publishes that
 * reached the wire (chunks the blackhole swallowed, by a marker each publish
 * carries once) and publishes that settled, and records how many had settled
 * when the `nth` publish reached the wire.
 */
export function watchWire(proxy: TcpProxy, marker: string, nth: number) {
  const state = { sent: 0, settled: 0, settledWhenNthSent: undefined as number | undefined };
  proxy.onSwallowed = (data) => {
    state.sent += data.toString('latin1').split(marker).length - 1;
    if (state.sent >= nth && state.settledWhenNthSent === undefined) state.settledWhenNthSent = state.settled;
  };
  /** Follows a publish: resolves with its error (undefined when it succeeded), counting it as settled. */
  const track = (publish: Promise<unknown>): Promise<unknown> =>
    publish.then(
      () => {
        state.settled++;
        return undefined;
      },
      (error: unknown) => {
        state.settled++;
        return error;
      },
    );
  return { state, track };
}
