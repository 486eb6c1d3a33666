/** The CLI's connection to the terminal, injectable for tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  stderrIsTty: boolean;
}

let stdoutOpen = true;

export const processIo: Io = {
  out: (text) => {
    if (stdoutOpen) process.stdout.write(text);
  },
  err: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
};

/**
 * A reader that stops reading (`churnlink report ... | head -1`) closes the pipe, and writing to
 * it fails with EPIPE: `onClosed` then runs once and later output is dropped. Any other error
 * writing to stdout is thrown.
 */
export function watchStdout(onClosed: () => void): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (!stdoutOpen) return;
    stdoutOpen = false;
    onClosed();
  });
}
