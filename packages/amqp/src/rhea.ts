import * as rheaModule from 'rhea';

/**
 * rhea is CommonJS whose exports Node's ESM loader cannot list, so named
 * imports fail under `import`; the namespace's `default` is its
 * `module.exports` there, and the namespace itself under `require`.
 */
const rhea = ((rheaModule as unknown as { default?: typeof rheaModule }).default ?? rheaModule) as typeof rheaModule;

export const createContainer = rhea.create_container;
export const rheaMessage = rhea.message;
