// The compile driver: phase runner, front-end phases, program loading and file hosts.
export { runPhases, type Phase, type PhaseRun } from './phases.js';
export { frontendPhases, frontendState, parsePhase, namesPhase, runPhasesPastErrors, type FrontendState } from './frontend.js';
export { keepIntactDeclarations, isFollowOnError, type IntactProgram } from './recover.js';
export { loadProgram, displayPath, type LoadResult } from './load.js';
export { nodeHost, memoryHost, type CompilerHost } from './host.js';
export { checkSpec, type CheckResult } from './check.js';
