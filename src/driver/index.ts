// The compile driver: phase runner, front-end phases, program loading and file hosts.
export { runPhases, type Phase, type PhaseRun } from './phases.js';
export { frontendPhases, frontendState, parsePhase, namesPhase, type FrontendState } from './frontend.js';
export { loadProgram, displayPath, type LoadResult } from './load.js';
export { nodeHost, memoryHost, type CompilerHost } from './host.js';
export { checkSpec, type CheckResult } from './check.js';
