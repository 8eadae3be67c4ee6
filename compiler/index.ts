export { createSession, NablaSession, type SessionOptions } from './nabla-session';
export type { Session, Output, RunResult, MimeBundle, Completion, DisplayOptions } from './session';
export { show } from './values';
