import { Gamifier, type GamifierOptions } from '../src/app.js';
import { loadDemoConfig } from '../src/infrastructure/config.js';
import { createLogger } from '../src/infrastructure/logger.js';
import { seededRandom } from '../src/random.js';

/** A started app on the environment given (memory/memory when it names no transport), quiet, with fast retries. */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  options: Omit<GamifierOptions, 'env' | 'config'> = {},
): Promise<Gamifier> {
  const fullEnv = { EVENT_RETRY_DELAY: '20', EVENT_RETRY_MAX_DELAY: '200', ...env };
  const config = loadDemoConfig(fullEnv, { logLevel: 'silent' });
  return Gamifier.start({
    env: fullEnv,
    config,
    logger: createLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent'),
    random: seededRandom(7),
    ...options,
  });
}
