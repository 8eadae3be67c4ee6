export { createSession, NablaSession, type SessionOptions } from './nabla-session';
export { openSession, OpenSession, type OpenSessionOptions } from './open-session';
export type { Session, Output, RunResult, MimeBundle, Completion, DisplayOptions } from './session';
export { show } from './values';
