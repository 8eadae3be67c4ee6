/** A mistake in the user's program found by the language itself (the runtime's own are NablaErrors). */
export class LangError extends Error {
  constructor(
    message: string,
    readonly ename = 'TypeError',
  ) {
    super(message);
  }
}
