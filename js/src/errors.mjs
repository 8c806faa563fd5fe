// One error type for everything the loader and runtime refuse; `file` names the file at fault.
export class WebedgeError extends Error {
  constructor(message, { file, retryable = false, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.name = 'WebedgeError';
    this.file = file;
    this.retryable = retryable;
  }
}
