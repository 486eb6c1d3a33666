/** The CLI's connection to the terminal, injectable for tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  stderrIsTty: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
};
